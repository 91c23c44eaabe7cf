import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import type { JobRegistry } from "./registry.js";
import { type OutboxRow, type OutboxStore, outboxStore } from "./repository.js";

const RECORD_ATTEMPTS = 3;

/** What happened to one claimed job, to be written back to its outbox row. */
export type JobOutcomeRecord =
  | { kind: "complete"; id: string; attempt: number; error: string | null }
  | { kind: "reschedule"; id: string; attempt: number; runAt: Date; error: string };

/** Runs one claimed job: done or failed → complete; thrown → retried with backoff, then given up. */
export async function runOutboxJob(
  registry: JobRegistry,
  row: OutboxRow,
  log: FastifyBaseLogger,
): Promise<JobOutcomeRecord> {
  const jobLog = log.child({ job: row.job_name, jobId: row.id, attempt: row.attempts });
  const claim = { id: row.id, attempt: row.attempts };
  try {
    const outcome = await registry.run(row.job_name, row.payload, {
      jobId: row.id,
      attempt: row.attempts,
      log: jobLog,
    });
    if (outcome.status === "failed") jobLog.warn({ detail: outcome.detail }, "job failed");
    const error = outcome.status === "failed" ? (outcome.detail ?? "failed") : null;
    return { kind: "complete", ...claim, error };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const { attempts, backoffMs } = safeOptions(registry, row.job_name);
    if (row.attempts >= attempts) {
      jobLog.error({ err }, "job gave up after its last attempt");
      return { kind: "complete", ...claim, error: `gave up: ${message}` };
    }
    const delay = backoffMs * 2 ** (row.attempts - 1);
    jobLog.warn({ err, retryInMs: delay }, "job failed, will retry");
    return { kind: "reschedule", ...claim, runAt: new Date(Date.now() + delay), error: message };
  }
}

/**
 * Writes the outcomes of a batch back (completions in one statement). Retried; if it still fails, the
 * claims' leases run out and the jobs run again (handlers are idempotent), so a database hiccup here
 * never strands a row.
 */
export async function recordOutcomes(
  db: Db,
  outcomes: JobOutcomeRecord[],
  log: FastifyBaseLogger,
  store: OutboxStore = outboxStore,
): Promise<void> {
  const completed = outcomes.filter((o) => o.kind === "complete");
  const writes = [
    ...(completed.length > 0 ? [() => store.complete(db, completed)] : []),
    ...outcomes.flatMap((o) =>
      o.kind === "reschedule" ? [() => store.reschedule(db, o.id, o.attempt, o.runAt, o.error)] : [],
    ),
  ];
  for (const write of writes) {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        break;
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) {
          log.error({ err }, "could not record job outcomes; they run again when their leases expire");
          break;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
}

function safeOptions(registry: JobRegistry, name: string) {
  try {
    return registry.options(name as Parameters<JobRegistry["options"]>[0]);
  } catch {
    return { attempts: 1, backoffMs: 0 };
  }
}
