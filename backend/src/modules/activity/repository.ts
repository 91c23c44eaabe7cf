import type { Tx } from "../../db/client.js";
import type { activityEvents } from "../../db/schema/index.js";
import { sendWithCommit, statement } from "../../db/statements.js";
import { newId } from "../../lib/ids.js";
import { shanghaiDate } from "../../lib/time.js";
import { actionTask } from "../task-center/service.js";

export type ActivityKind = (typeof activityEvents.$inferInsert)["kind"];

/**
 * The event row, the daily task it advances and, when that completes the task, the user's
 * `daily_task_completed` notification: one statement. The task row is `(user, Shanghai day, kind)`:
 * progress +1 up to its target, completed_at when it reaches it. A missing row is inserted only when the
 * day's choice for the kind's category is this task ($10) and the user holds no other task of that
 * category that day (the 00:00 job's pick under older definitions wins); an existing row (from the job
 * or a touch) progresses whatever the definitions say now. Placeholders stand in for a definition this
 * process does not know (then only an existing row can match; the insert never happens).
 */
const RECORD = statement(
  "activity_record",
  `with event as (
     insert into activity_events (id, user_id, kind, ref_id, day, created_at)
     values ($1, $2, $3, $4, $5::date, $6::timestamptz)
   ), done as (
     insert into task_assignments
       (user_id, day, task_key, category, progress, target, reward_credits, completed_at, assigned_by, assigned_at)
     select $2, $5::date, $3, coalesce($7::text, ''), 1, coalesce($8::int, 1), coalesce($9::int, 1),
       case when coalesce($8::int, 1) <= 1 then $6::timestamptz end, 'touch', $6::timestamptz
     where not exists (
         select 1 from task_assignments o
         where o.user_id = $2 and o.day = $5::date and o.category = $7::text and o.task_key <> $3)
       and ($10::boolean or exists (
         select 1 from task_assignments s where s.user_id = $2 and s.day = $5::date and s.task_key = $3))
     on conflict (user_id, day, task_key) do update
       set progress = least(task_assignments.progress + 1, task_assignments.target),
         completed_at = case when task_assignments.progress + 1 >= task_assignments.target
           then excluded.assigned_at end
       where task_assignments.completed_at is null
     returning user_id, day, task_key, reward_credits, completed_at
   )
   insert into notifications (id, user_id, kind, ref_type, ref_id, data, dedupe_key, created_at)
   select $11, d.user_id, 'daily_task_completed', 'daily_task', d.task_key,
     jsonb_build_object('title_zh', coalesce($12::text, d.task_key), 'title_en', coalesce($13::text, d.task_key),
       'reward_credits', d.reward_credits, 'task_key', d.task_key),
     'task:' || d.user_id || ':' || to_char(d.day, 'YYYY-MM-DD') || ':' || d.task_key || ':done', $6::timestamptz
   from done d
   where d.completed_at is not null
   on conflict (dedupe_key) do nothing`,
);

/**
 * Records what a user did in the action's own transaction, and advances the matching daily task (the
 * kinds are task keys), so an action that rolls back leaves no event and completes nothing. The
 * statement travels with the COMMIT (no round trip of its own while the action holds its locks).
 */
export function recordActivity(
  tx: Tx,
  userId: string,
  kind: ActivityKind,
  refId: string | null,
  at: Date = new Date(),
): void {
  const day = shanghaiDate(at);
  const task = actionTask(userId, kind, day);
  sendWithCommit(tx, RECORD, [
    newId(),
    userId,
    kind,
    refId,
    day,
    at.toISOString(),
    task.category,
    task.target,
    task.rewardCredits,
    task.chosen,
    newId(),
    task.titleZh,
    task.titleEn,
  ]);
}
