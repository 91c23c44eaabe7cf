import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { tasks } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";

export type TaskRow = typeof tasks.$inferSelect;
type Status = TaskRow["status"];
export const UNFINISHED: Status[] = ["NOT_START", "QUEUED", "IN_PROGRESS"];

export async function insertTask(ex: Executor, row: typeof tasks.$inferInsert): Promise<TaskRow> {
  const rows = await ex.insert(tasks).values(row).returning();
  return rows[0] as TaskRow;
}

export async function findTask(ex: Executor, id: string): Promise<TaskRow | null> {
  const rows = await ex.select().from(tasks).where(eq(tasks.id, id));
  return rows[0] ?? null;
}

export async function findOwnTask(ex: Executor, id: string, userId: string): Promise<TaskRow | null> {
  const rows = await ex
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.userId, userId)));
  return rows[0] ?? null;
}

export async function listTasks(
  ex: Executor,
  userId: string,
  status: Status | null,
  after: Keyset | null,
  limit: number,
): Promise<TaskRow[]> {
  const keyset = after
    ? or(
        lt(tasks.createdAt, after.createdAt),
        and(eq(tasks.createdAt, after.createdAt), lt(tasks.id, after.id)),
      )
    : undefined;
  return ex
    .select()
    .from(tasks)
    .where(and(eq(tasks.userId, userId), status ? eq(tasks.status, status) : undefined, keyset))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit + 1);
}

export async function countUnfinished(ex: Executor, userId: string): Promise<number> {
  const rows = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(tasks)
    .where(and(eq(tasks.userId, userId), inArray(tasks.status, UNFINISHED)));
  return rows[0]?.n ?? 0;
}

export async function countCreatedSince(ex: Executor, userId: string, since: Date): Promise<number> {
  const rows = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(tasks)
    .where(and(eq(tasks.userId, userId), sql`${tasks.createdAt} >= ${since}`));
  return rows[0]?.n ?? 0;
}

/** Records the vendor's id once; false if the task moved on or was already submitted. */
export async function markSubmitted(
  ex: Executor,
  id: string,
  vendorTaskId: string,
  at: Date,
  nextPollAt: Date,
) {
  const rows = await ex
    .update(tasks)
    .set({ vendorTaskId, submittedAt: at, nextPollAt, updatedAt: at })
    .where(and(eq(tasks.id, id), isNull(tasks.vendorTaskId), inArray(tasks.status, UNFINISHED)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Progress only moves forward and only while the task is unfinished. */
export async function recordProgress(
  ex: Executor,
  id: string,
  status: "QUEUED" | "IN_PROGRESS",
  progress: number,
  at: Date,
  nextPollAt: Date,
): Promise<void> {
  await ex
    .update(tasks)
    .set({
      status: sql`case when ${tasks.status} = 'IN_PROGRESS' then 'IN_PROGRESS' else ${status} end`,
      progress: sql`greatest(${tasks.progress}, ${progress})`,
      pollErrors: 0,
      nextPollAt,
      updatedAt: sql`case when ${tasks.progress} < ${progress} or ${tasks.status} <> ${status} then ${at} else ${tasks.updatedAt} end`,
    })
    .where(and(eq(tasks.id, id), inArray(tasks.status, UNFINISHED)));
}

export async function recordPollError(ex: Executor, id: string, nextPollAt: Date): Promise<void> {
  await ex
    .update(tasks)
    .set({ pollErrors: sql`${tasks.pollErrors} + 1`, nextPollAt })
    .where(and(eq(tasks.id, id), inArray(tasks.status, UNFINISHED)));
}

/** The vendor finished: remember where the file is and claim the media step exactly once. */
export async function claimMediaStep(ex: Executor, id: string, videoUrl: string, at: Date): Promise<boolean> {
  const rows = await ex
    .update(tasks)
    .set({
      vendorVideoUrl: videoUrl,
      mediaQueuedAt: at,
      status: "IN_PROGRESS",
      progress: 99,
      nextPollAt: null,
      updatedAt: at,
    })
    .where(and(eq(tasks.id, id), isNull(tasks.mediaQueuedAt), inArray(tasks.status, UNFINISHED)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/** Compare-and-set to a final state: only one caller ever wins. */
export async function finishTask(
  ex: Executor,
  id: string,
  patch: { status: "SUCCESS" | "FAILURE"; errorMessage?: string; videoId?: string; refunded?: boolean },
  at: Date,
): Promise<TaskRow | null> {
  const rows = await ex
    .update(tasks)
    .set({
      status: patch.status,
      progress: patch.status === "SUCCESS" ? 100 : sql`${tasks.progress}`,
      errorMessage: patch.errorMessage ?? null,
      videoId: patch.videoId ?? null,
      refunded: patch.refunded ?? false,
      nextPollAt: null,
      finishedAt: at,
      updatedAt: at,
    })
    .where(and(eq(tasks.id, id), inArray(tasks.status, UNFINISHED)))
    .returning();
  return rows[0] ?? null;
}

/**
 * Leases tasks due for a vendor poll (oldest due first): their next poll moves `leaseMs` ahead, so
 * concurrent sweeps in other workers skip them. The poll then sets the real next time.
 */
export async function leaseDueForPoll(
  ex: Executor,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<TaskRow[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const ids = await ex
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, UNFINISHED),
        sql`${tasks.vendorTaskId} is not null`,
        isNull(tasks.mediaQueuedAt),
        lte(tasks.nextPollAt, now),
      ),
    )
    .orderBy(tasks.nextPollAt)
    .limit(limit)
    .for("update", { skipLocked: true });
  if (ids.length === 0) return [];
  return ex
    .update(tasks)
    .set({ nextPollAt: leaseUntil })
    .where(
      inArray(
        tasks.id,
        ids.map((r) => r.id),
      ),
    )
    .returning();
}

export async function unfinishedCreatedBefore(ex: Executor, model: string, before: Date, limit: number) {
  return ex
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(inArray(tasks.status, UNFINISHED), eq(tasks.model, model), lt(tasks.createdAt, before)))
    .limit(limit);
}
