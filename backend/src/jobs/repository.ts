import { eq, sql } from "drizzle-orm";
import { type Db, type Executor, queryRows } from "../db/client.js";
import { outbox } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";
import type { JobName, JobPayload } from "./definitions.js";

export interface OutboxRow {
  id: string;
  job_name: string;
  payload: unknown;
  attempts: number;
}

/** Writes a job inside the caller's business transaction. A given `id` makes the enqueue idempotent. */
export async function enqueue<N extends JobName>(
  ex: Executor,
  name: N,
  payload: JobPayload<N>,
  opts: { id?: string; runAt?: Date } = {},
): Promise<string> {
  const id = opts.id ?? newId();
  await ex
    .insert(outbox)
    .values({ id, jobName: name, payload, runAt: opts.runAt ?? new Date() })
    .onConflictDoNothing();
  return id;
}

/** Claims due jobs; SKIP LOCKED lets any number of processes drain the same outbox. */
export async function claimDue(db: Db, limit: number): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    db,
    sql`
    update outbox set dispatched_at = now(), attempts = attempts + 1
    where id in (
      select id from outbox
      where dispatched_at is null and completed_at is null and run_at <= now()
      order by run_at limit ${limit}
      for update skip locked)
    returning id, job_name, payload, attempts`,
  );
}

export async function markCompleted(db: Db, id: string, error: string | null = null): Promise<void> {
  await db.update(outbox).set({ completedAt: new Date(), lastError: error }).where(eq(outbox.id, id));
}

export async function reschedule(db: Db, id: string, runAt: Date, error: string): Promise<void> {
  await db.update(outbox).set({ dispatchedAt: null, runAt, lastError: error }).where(eq(outbox.id, id));
}

/** Jobs claimed by a process that died before finishing go back to the queue. */
export async function releaseStale(db: Db, olderThanMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const rows = await db
    .update(outbox)
    .set({ dispatchedAt: null })
    .where(sql`${outbox.completedAt} is null and ${outbox.dispatchedAt} < ${cutoff}`)
    .returning({ id: outbox.id });
  return rows.length;
}

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
