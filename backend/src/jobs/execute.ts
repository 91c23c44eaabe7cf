import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import type { JobRegistry } from "./registry.js";
import { markCompleted, type OutboxRow, reschedule } from "./repository.js";

/** Runs one claimed outbox job in-process: done → completed; thrown → retried with backoff, then dead. */
export async function executeOutboxJob(
  db: Db,
  registry: JobRegistry,
  row: OutboxRow,
  log: FastifyBaseLogger,
): Promise<void> {
  const jobLog = log.child({ job: row.job_name, jobId: row.id, attempt: row.attempts });
  try {
    const outcome = await registry.run(row.job_name, row.payload, {
      jobId: row.id,
      attempt: row.attempts,
      log: jobLog,
    });
    if (outcome.status === "failed") jobLog.warn({ detail: outcome.detail }, "job failed");
    await markCompleted(db, row.id, outcome.status === "failed" ? (outcome.detail ?? "failed") : null);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const { attempts, backoffMs } = safeOptions(registry, row.job_name);
    if (row.attempts >= attempts) {
      jobLog.error({ err }, "job gave up after its last attempt");
      await markCompleted(db, row.id, `gave up: ${message}`);
      return;
    }
    const delay = backoffMs * 2 ** (row.attempts - 1);
    jobLog.warn({ err, retryInMs: delay }, "job failed, will retry");
    await reschedule(db, row.id, new Date(Date.now() + delay), message);
  }
}

function safeOptions(registry: JobRegistry, name: string) {
  try {
    return registry.options(name as Parameters<JobRegistry["options"]>[0]);
  } catch {
    return { attempts: 1, backoffMs: 0 };
  }
}
