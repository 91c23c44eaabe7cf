import type { AdminJobs } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { BullmqRunner } from "../../jobs/bullmq.js";
import { outboxCounts, outboxFailures } from "../../jobs/repository.js";
import type { JobFailure, QueueCounts } from "../../jobs/types.js";
import type { AccessClaims } from "../auth/tokens.js";
import type { QueueBoard } from "./queue-board.js";
import { rolesOf } from "./roles.js";

const RECENT_FAILURES = 20;

/**
 * Queue depths, failures and retries. Embedded default: the outbox is the queue, one entry per job
 * name. With Redis: the BullMQ queue, plus the outbox as its hand-off (jobs not due yet wait there, and
 * a row the dispatcher could not hand over shows its error).
 */
export async function jobsOverview(
  ctx: AppContext,
  viewer: AccessClaims,
  board: QueueBoard | null,
): Promise<AdminJobs> {
  if (ctx.jobs instanceof BullmqRunner) {
    const [queue, outbox, failed, handOff] = await Promise.all([
      ctx.jobs.counts(),
      outboxCounts(ctx.db),
      ctx.jobs.recentFailures(RECENT_FAILURES),
      outboxFailures(ctx.db, RECENT_FAILURES),
    ]);
    return {
      backend: "bullmq",
      queues: [queue, totalOf("outbox", outbox)],
      recent_failures: newestFirst([...failed, ...handOff]),
      board_url: await boardUrlFor(ctx, viewer, board),
    };
  }
  const [queues, failed] = await Promise.all([outboxCounts(ctx.db), outboxFailures(ctx.db, RECENT_FAILURES)]);
  return { backend: "outbox", queues, recent_failures: newestFirst(failed), board_url: null };
}

/** The board is for admins only: finance sees the numbers, not the link. */
async function boardUrlFor(ctx: AppContext, viewer: AccessClaims, board: QueueBoard | null) {
  if (!board) return null;
  const roles = await rolesOf(ctx.db, ctx.config.adminPhones, viewer.userId);
  return roles.has("admin") ? board.linkFor(viewer) : null;
}

function totalOf(name: string, queues: QueueCounts[]): QueueCounts {
  const sum = (k: keyof Omit<QueueCounts, "name">) => queues.reduce((n, q) => n + q[k], 0);
  return {
    name,
    waiting: sum("waiting"),
    active: sum("active"),
    delayed: sum("delayed"),
    failed: sum("failed"),
    completed: sum("completed"),
  };
}

function newestFirst(failures: JobFailure[]): AdminJobs["recent_failures"] {
  return failures
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, RECENT_FAILURES)
    .map((f) => ({
      job_id: f.jobId,
      name: f.name,
      attempts: f.attempts,
      error: f.error,
      at: f.at.toISOString(),
    }));
}
