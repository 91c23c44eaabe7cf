import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { onCleanup } from "./cleanup.js";

export interface StartServerOptions {
  /** Label for messages, e.g. "backend". */
  name: string;
  /** Arguments to `node` (the current executable), e.g. ["--import", "tsx", "src/main.ts"]. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  host: string;
  port: number;
  /** Polled until it answers 2xx (default /healthz). */
  healthPath?: string;
  /** Default 60 s: the backend compiles with tsx and migrates a fresh database first. */
  startTimeoutMs?: number;
  /** Stream the child's output to stderr as it comes (otherwise kept and shown only on failure). */
  verbose?: boolean;
}

export interface ServerChild {
  name: string;
  pid: number;
  /** http://host:port, no trailing slash. */
  baseUrl: string;
  /** The child's last output lines (stdout and stderr). */
  recentOutput(): string;
  /** True once the child has exited, for whatever reason. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const KEPT_LINES = 200;

/** Spawns a server as a child process and resolves once its health endpoint answers. */
export async function startServer(opts: StartServerOptions): Promise<ServerChild> {
  const baseUrl = `http://${opts.host}:${opts.port}`;
  const lines: string[] = [];
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    // stdin stays an open pipe: a child may treat its end as "the bench is gone".
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${opts.name}: spawn failed`);

  const keep = (stream: NodeJS.ReadableStream | null) => {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        if (opts.verbose) process.stderr.write(`[${opts.name}] ${line}\n`);
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
      }
    });
  };
  keep(child.stdout);
  keep(child.stderr);

  let exitInfo: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once("error", (err) => {
      exitInfo = `spawn error: ${err.message}`;
      resolve();
    });
  });

  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= terminate(child, exit, () => exitInfo !== null, graceMs).finally(unregister);
    return stopping;
  };
  const unregister = onCleanup(`stop ${opts.name}`, () => stop());

  const handle: ServerChild = {
    name: opts.name,
    pid: child.pid,
    baseUrl,
    recentOutput: () => lines.join("\n"),
    exited: () => exitInfo !== null,
    stop,
  };

  const healthUrl = baseUrl + (opts.healthPath ?? "/healthz");
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (true) {
    if (exitInfo !== null) {
      await stop();
      throw new StartError(`${opts.name} exited before it was healthy (${exitInfo})`, handle);
    }
    if (await answers(healthUrl)) return handle;
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(`${opts.name} did not answer ${healthUrl} within the start timeout`, handle);
    }
    await Promise.race([sleep(150), exit]);
  }
}

export class StartError extends Error {
  constructor(
    message: string,
    readonly child: ServerChild,
  ) {
    super(message);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function terminate(
  child: ChildProcess,
  exit: Promise<void>,
  hasExited: () => boolean,
  graceMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const timed = await Promise.race([exit.then(() => false), timedOut]);
  clearTimeout(timer);
  if (timed && !hasExited()) {
    child.kill("SIGKILL");
    await exit;
  }
}
