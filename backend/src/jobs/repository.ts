import { sql } from "drizzle-orm";
import { type Db, type Executor, queryRows, type Tx } from "../db/client.js";
import { outbox } from "../db/schema/index.js";
import { send, sendWithCommit, statement } from "../db/statements.js";
import { newId } from "../lib/ids.js";
import type { JobName, JobPayload } from "./definitions.js";
import type { JobFailure, QueueCounts } from "./types.js";

export interface OutboxRow {
  id: string;
  job_name: string;
  payload: unknown;
  attempts: number;
}

const ENQUEUE = statement(
  "outbox_enqueue",
  "insert into outbox (id, job_name, payload, run_at) values ($1, $2, $3::jsonb, $4) on conflict do nothing",
);
const CLAIM_DUE = statement(
  "outbox_claim_due",
  `update outbox set dispatched_at = now(), lease_until = now() + $2 * interval '1 millisecond',
     attempts = attempts + 1
   where id in (
     select id from outbox
     where completed_at is null and run_at <= now() and (dispatched_at is null or lease_until < now())
     order by run_at limit $1
     for update skip locked)
   returning id, job_name, payload, attempts`,
);
const EXTEND_LEASES = statement(
  "outbox_extend_leases",
  `update outbox set lease_until = now() + $2 * interval '1 millisecond'
   where id = any($1::text[]) and completed_at is null`,
);
const COMPLETE = statement(
  "outbox_complete",
  `update outbox set completed_at = now(), last_error = claim.error, lease_until = null
   from unnest($1::text[], $2::int[], $3::text[]) as claim(id, attempts, error)
   where outbox.id = claim.id and outbox.attempts = claim.attempts`,
);
const RESCHEDULE = statement(
  "outbox_reschedule",
  `update outbox set dispatched_at = null, lease_until = null, run_at = $3, last_error = $4
   where id = $1 and attempts = $2 and completed_at is null`,
);

/** Like {@link enqueue}, but the insert travels with the COMMIT (no round trip while the action holds locks). */
export function enqueueWithCommit<N extends JobName>(
  tx: Tx,
  name: N,
  payload: JobPayload<N>,
  opts: { id: string; runAt: Date },
): void {
  sendWithCommit(tx, ENQUEUE, [opts.id, name, JSON.stringify(payload), opts.runAt.toISOString()]);
}

/**
 * Writes a job inside the caller's business transaction (sent at once: it travels with the action's
 * other statements). A given `id` makes the enqueue idempotent.
 */
export async function enqueue<N extends JobName>(
  ex: Executor,
  name: N,
  payload: JobPayload<N>,
  opts: { id?: string; runAt?: Date } = {},
): Promise<string> {
  const id = opts.id ?? newId();
  await send(ex, ENQUEUE, [id, name, JSON.stringify(payload), (opts.runAt ?? new Date()).toISOString()]);
  return id;
}

/**
 * Claims due jobs for `leaseMs`: SKIP LOCKED lets any number of processes drain the same outbox. A claim
 * whose lease ran out (its process died, or could not record the outcome) is due again, so every runner's
 * next poll picks it up: no row stays claimed for longer than a lease.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return send<OutboxRow>(db, CLAIM_DUE, [limit, leaseMs]);
}

/** Keeps the claims of jobs this process is still running. */
export async function extendLeases(db: Db, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await send(db, EXTEND_LEASES, [ids, leaseMs]);
}

/**
 * Completes claims (each `attempt` = its claim's attempt number, so a stale claimer changes nothing), in
 * one statement however many.
 */
export async function complete(
  db: Db,
  claims: { id: string; attempt: number; error?: string | null }[],
): Promise<void> {
  if (claims.length === 0) return;
  await send(db, COMPLETE, [
    claims.map((c) => c.id),
    claims.map((c) => c.attempt),
    claims.map((c) => c.error ?? null),
  ]);
}

export async function reschedule(
  db: Db,
  id: string,
  attempt: number,
  runAt: Date,
  error: string,
): Promise<void> {
  await send(db, RESCHEDULE, [id, attempt, runAt.toISOString(), error]);
}

export interface OutboxStore {
  complete: typeof complete;
  reschedule: typeof reschedule;
}

export const outboxStore: OutboxStore = { complete, reschedule };

export async function pendingCount(db: Db): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from outbox where completed_at is null`,
  );
  return rows[0]?.n ?? 0;
}

export async function deleteFinishedBefore(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(outbox)
    .where(sql`${outbox.completedAt} is not null and ${outbox.completedAt} < ${before}`)
    .returning({ id: outbox.id });
  return rows.length;
}

/**
 * The outbox by job name and state (the queue of the embedded default, the hand-off under BullMQ):
 * waiting = due and unclaimed (or its claim ran out), active = claimed, delayed = not due yet (a retry
 * waits here too), failed = finished with an error (the handler's failure, or given up), completed.
 */
export async function outboxCounts(ex: Executor): Promise<QueueCounts[]> {
  return queryRows<QueueCounts>(
    ex,
    sql`select job_name as name,
          count(*) filter (where completed_at is null and run_at <= now()
                             and (dispatched_at is null or lease_until < now()))::int as waiting,
          count(*) filter (where completed_at is null and dispatched_at is not null
                             and lease_until >= now())::int as active,
          count(*) filter (where completed_at is null and run_at > now() and dispatched_at is null)::int as delayed,
          count(*) filter (where completed_at is not null and last_error is not null)::int as failed,
          count(*) filter (where completed_at is not null and last_error is null)::int as completed
        from outbox group by job_name order by job_name`,
  );
}

/**
 * The latest jobs with an error, newest first: finished ones at their end, ones still retrying at
 * their next try.
 */
export async function outboxFailures(ex: Executor, limit: number): Promise<JobFailure[]> {
  const rows = await queryRows<{
    id: string;
    job_name: string;
    attempts: number;
    last_error: string;
    at: Date;
  }>(
    ex,
    sql`select id, job_name, attempts, last_error, coalesce(completed_at, run_at) as at
        from outbox where last_error is not null
        order by coalesce(completed_at, run_at) desc, id desc limit ${limit}`,
  );
  return rows.map((r) => ({
    jobId: r.id,
    name: r.job_name,
    attempts: r.attempts,
    error: r.last_error,
    at: new Date(r.at),
  }));
}
