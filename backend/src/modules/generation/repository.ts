import { and, desc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/client.js";
import { generationQuotas, tasks, videoAssets } from "../../db/schema/index.js";
import { selectList, send, statement } from "../../db/statements.js";
import type { Keyset } from "../../lib/cursor.js";

export type TaskRow = typeof tasks.$inferSelect;
type Status = TaskRow["status"];
export const UNFINISHED: Status[] = ["NOT_START", "QUEUED", "IN_PROGRESS"];

const TASK_COLUMNS = `id, user_id, status, progress, prompt, duration_sec, ratio, model, vendor, project_id,
  reference_image_asset_id, cost_credits, timeout_at, created_at, updated_at, source_type, source_work_id,
  remix_fee_credits, display_prompt, resolution, allow_failover`;
const INSERT_TASK = statement(
  "generation_insert_task",
  `insert into tasks (${TASK_COLUMNS})
   values ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16, $17, $18, $19)`,
);

export type NewTask = Pick<
  TaskRow,
  | "id"
  | "userId"
  | "status"
  | "prompt"
  | "durationSec"
  | "ratio"
  | "model"
  | "vendor"
  | "projectId"
  | "referenceImageAssetId"
  | "costCredits"
  | "timeoutAt"
  | "createdAt"
> &
  Partial<
    Pick<
      TaskRow,
      "sourceType" | "sourceWorkId" | "remixFeeCredits" | "displayPrompt" | "resolution" | "allowFailover"
    >
  >;

/** Sent at once (see db/statements.ts): it travels with the other statements of the create. */
export async function insertTask(ex: Executor, t: NewTask): Promise<void> {
  await send(ex, INSERT_TASK, [
    t.id,
    t.userId,
    t.status,
    t.prompt,
    t.durationSec,
    t.ratio,
    t.model,
    t.vendor,
    t.projectId,
    t.referenceImageAssetId,
    t.costCredits,
    t.timeoutAt.toISOString(),
    t.createdAt.toISOString(),
    t.sourceType ?? "create",
    t.sourceWorkId ?? null,
    t.remixFeeCredits ?? 0,
    t.displayPrompt ?? null,
    t.resolution ?? null,
    t.allowFailover ?? false,
  ]);
}

const FIND_TASK = statement("generation_find_task", `select ${selectList(tasks)} from tasks where id = $1`);
const FIND_OWN_TASK = statement(
  "generation_find_own_task",
  `select ${selectList(tasks)}, v.thumb_key as "thumbKey" from tasks
   left join video_assets v on v.id = tasks.video_id and v.deleted_at is null
   where tasks.id = $1 and tasks.user_id = $2`,
);

/** A task as its owner sees it: with the finished video's thumbnail, if the video still exists. */
export type TaskView = TaskRow & { thumbKey: string | null };

export async function findTask(ex: Executor, id: string): Promise<TaskRow | null> {
  const [row] = await send<TaskRow>(ex, FIND_TASK, [id]);
  return row ? withBigints(row) : null;
}

/** A raw statement's row has int8 as the driver gives it (a string or a number): the row type says bigint. */
function withBigints<T extends TaskRow>(row: T): T {
  const cost = row.vendorCostMilli as unknown as string | number | bigint | null;
  return { ...row, vendorCostMilli: cost === null ? null : BigInt(cost) };
}

/** Read every second by each open progress stream and every few seconds by each polling app. */
export async function findOwnTask(ex: Executor, id: string, userId: string): Promise<TaskView | null> {
  const [row] = await send<TaskView>(ex, FIND_OWN_TASK, [id, userId]);
  return row ? withBigints(row) : null;
}

export async function listTasks(
  ex: Executor,
  userId: string,
  status: Status | null,
  after: Keyset | null,
  limit: number,
): Promise<TaskView[]> {
  const keyset = after
    ? or(
        lt(tasks.createdAt, after.createdAt),
        and(eq(tasks.createdAt, after.createdAt), lt(tasks.id, after.id)),
      )
    : undefined;
  return ex
    .select({ ...getTableColumns(tasks), thumbKey: videoAssets.thumbKey })
    .from(tasks)
    .leftJoin(videoAssets, and(eq(videoAssets.id, tasks.videoId), isNull(videoAssets.deletedAt)))
    .where(and(eq(tasks.userId, userId), status ? eq(tasks.status, status) : undefined, keyset))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit + 1);
}

// The conditions are evaluated on the row as locked (the latest version); `refused` records which limit
// stopped this attempt, so the answer names it exactly, however many creates race.
const TAKE_QUOTA = statement(
  "generation_take_quota",
  `insert into generation_quotas as q (user_id, unfinished, day, day_count) values ($1, 1, $2::date, 1)
   on conflict (user_id) do update set
     unfinished = q.unfinished + case when q.unfinished < $3 and (q.day <> excluded.day or q.day_count < $4)
       then 1 else 0 end,
     day_count = case when not (q.unfinished < $3 and (q.day <> excluded.day or q.day_count < $4)) then q.day_count
       when q.day = excluded.day then q.day_count + 1 else 1 end,
     day = case when q.unfinished < $3 and (q.day <> excluded.day or q.day_count < $4) then excluded.day
       else q.day end,
     refused = case when q.unfinished >= $3 then 'unfinished'
       when q.day = excluded.day and q.day_count >= $4 then 'daily' end
   returning refused`,
);

/**
 * Counts one more unfinished task and one more for the Shanghai day `day`, only while both stay within
 * their limits: one conditional upsert of the user's counter row, atomic under any concurrency. Null
 * when taken, else the limit that refused it.
 */
export async function takeQuota(
  ex: Executor,
  userId: string,
  day: string,
  limits: { unfinished: number; daily: number },
): Promise<"unfinished" | "daily" | null> {
  const [row] = await send<{ refused: "unfinished" | "daily" | null }>(ex, TAKE_QUOTA, [
    userId,
    day,
    limits.unfinished,
    limits.daily,
  ]);
  return row?.refused ?? null;
}

/** A task reached its final state: it no longer counts as unfinished. */
export async function releaseQuota(ex: Executor, userId: string): Promise<void> {
  await ex
    .update(generationQuotas)
    .set({ unfinished: sql`greatest(${generationQuotas.unfinished} - 1, 0)` })
    .where(eq(generationQuotas.userId, userId));
}

export async function quotaOf(ex: Executor, userId: string) {
  const rows = await ex.select().from(generationQuotas).where(eq(generationQuotas.userId, userId));
  return rows[0] ?? null;
}

/**
 * Records the vendor's id once, with what the vendor charges for the task; false if the task moved on
 * or was already submitted (a callback or a lookup may adopt the id of a create whose answer was lost).
 */
export async function markSubmitted(
  ex: Executor,
  id: string,
  vendorTaskId: string,
  at: Date,
  nextPollAt: Date,
  vendorCostMilli: bigint | null = null,
) {
  const rows = await ex
    .update(tasks)
    .set({
      vendorTaskId,
      submittedAt: at,
      nextPollAt,
      updatedAt: at,
      vendorCostMilli: vendorCostMilli ?? sql`${tasks.vendorCostMilli}`,
    })
    .where(and(eq(tasks.id, id), isNull(tasks.vendorTaskId), inArray(tasks.status, UNFINISHED)))
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/**
 * Written (and committed) just before a create goes out: from then on a retry must reconcile with the
 * vendor before creating again. False if the task moved on or already has its vendor task.
 */
export async function markSubmitSent(ex: Executor, id: string, at: Date): Promise<boolean> {
  const rows = await ex
    .update(tasks)
    .set({ submitSentAt: at })
    .where(
      and(
        eq(tasks.id, id),
        isNull(tasks.vendorTaskId),
        isNull(tasks.submitSentAt),
        inArray(tasks.status, UNFINISHED),
      ),
    )
    .returning({ id: tasks.id });
  return rows.length === 1;
}

/**
 * The vendor certainly did not take the create sent at `sentAt` (refused before it was taken, or not
 * found by reference). Only that create's mark is cleared: another attempt's stays.
 */
export async function clearSubmitSent(ex: Executor, id: string, sentAt: Date): Promise<void> {
  await ex
    .update(tasks)
    .set({ submitSentAt: null })
    .where(and(eq(tasks.id, id), isNull(tasks.vendorTaskId), eq(tasks.submitSentAt, sentAt)));
}

/**
 * Failover (换用同类模型): moves a task that was never sent to its vendor onto another model at a cost
 * not above the one held. Compare-and-set on the model it was on; null when the task moved on.
 */
export async function moveToModel(
  ex: Executor,
  id: string,
  from: string,
  to: { model: string; vendor: string; costCredits: number },
  at: Date,
): Promise<TaskRow | null> {
  const rows = await ex
    .update(tasks)
    .set({ model: to.model, vendor: to.vendor, costCredits: to.costCredits, updatedAt: at })
    .where(
      and(
        eq(tasks.id, id),
        eq(tasks.model, from),
        isNull(tasks.vendorTaskId),
        isNull(tasks.submitSentAt),
        inArray(tasks.status, UNFINISHED),
        lte(sql`${to.costCredits}::int`, tasks.costCredits),
      ),
    )
    .returning();
  return rows[0] ?? null;
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

/** Unfinished tasks past their own deadline (fixed at creation, so a model that left the catalog too). */
export async function unfinishedPastTimeout(ex: Executor, now: Date, limit: number) {
  return ex
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(inArray(tasks.status, UNFINISHED), lt(tasks.timeoutAt, now)))
    .orderBy(tasks.timeoutAt)
    .limit(limit);
}

export interface VendorCostRow {
  day: string;
  model: string;
  tasks: number;
  succeeded: number;
  credits_charged: string;
  vendor_cost_milli: string;
}

/**
 * Per Shanghai day (of creation) and model: tasks, successes, the credits they cost the users and what
 * the vendors bill us. Only succeeded tasks are charged on either side: a failure is refunded to the
 * user and not billed by the vendors.
 */
export async function vendorCostsByDay(
  ex: Executor,
  fromDay: string,
  days: number,
): Promise<VendorCostRow[]> {
  const start = sql`(${fromDay}::date - interval '8 hours')`;
  const end = sql`(${fromDay}::date + ${days}::int * interval '1 day' - interval '8 hours')`;
  return queryRows<VendorCostRow>(
    ex,
    sql`select to_char(((created_at + interval '8 hours') at time zone 'UTC')::date, 'YYYY-MM-DD') as day,
          model, count(*)::int as tasks, count(*) filter (where status = 'SUCCESS')::int as succeeded,
          coalesce(sum(cost_credits) filter (where status = 'SUCCESS'), 0)::text as credits_charged,
          coalesce(sum(vendor_cost_milli) filter (where status = 'SUCCESS'), 0)::text as vendor_cost_milli
        from tasks where created_at >= ${start} and created_at < ${end}
        group by 1, 2 order by 1, 2`,
  );
}

/** What reference image went to the vendor (media/prepare-image.ts's result), kept with the task. */
export async function recordSentImage(
  ex: Executor,
  id: string,
  image: NonNullable<TaskRow["sentImage"]>,
): Promise<void> {
  await ex.update(tasks).set({ sentImage: image }).where(eq(tasks.id, id));
}
