/**
 * Process-wide cleanup registry: children to stop, databases to drop. Tasks run last-registered
 * first, once, on normal exit, on a thrown error (via `runCleanup`) and on SIGINT/SIGTERM/SIGHUP.
 */

type Task = { name: string; run: () => Promise<void> | void };

const tasks: Task[] = [];
let running: Promise<void> | null = null;

/** Registers a task; the returned function unregisters it (after the resource was released normally). */
export function onCleanup(name: string, run: Task["run"]): () => void {
  const task = { name, run };
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

export function runCleanup(): Promise<void> {
  running ??= (async () => {
    while (tasks.length > 0) {
      const task = tasks.pop()!;
      try {
        await task.run();
      } catch (err) {
        console.error(`cleanup "${task.name}" failed:`, err instanceof Error ? err.message : err);
      }
    }
  })();
  return running;
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** On a signal: clean up, then exit 128+n. A second signal exits at once. */
export function installSignalHandlers(): void {
  for (const [signal, n] of Object.entries(SIGNAL_NUMBERS)) {
    process.on(signal, () => {
      if (running) {
        console.error(`\n${signal} again: exiting without finishing cleanup`);
        process.exit(128 + n);
      }
      console.error(`\n${signal}: cleaning up…`);
      void runCleanup().finally(() => process.exit(128 + n));
    });
  }
}
