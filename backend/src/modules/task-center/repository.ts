import { asc } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client.js";
import { taskDefinitions } from "../../db/schema/index.js";
import { send, sendWithCommit, statement } from "../../db/statements.js";

export type TaskDefinitionRow = typeof taskDefinitions.$inferSelect;

/** The whole catalogue (inactive rows too: a day assigned before a switch-off still shows its titles). */
export function loadDefinitions(ex: Executor): Promise<TaskDefinitionRow[]> {
  return ex.select().from(taskDefinitions).orderBy(asc(taskDefinitions.sort), asc(taskDefinitions.key));
}

/** One of a user's tasks of one day, as the task center shows it. */
export interface AssignmentRow {
  taskKey: string;
  category: string;
  progress: number;
  target: number;
  rewardCredits: number;
  completedAt: Date | null;
  claimedAt: Date | null;
}

/** The tasks a touch proposes: what tasksFor chose for the day (login_daily completes at once). */
export interface ProposedTask {
  key: string;
  category: string;
  target: number;
  rewardCredits: number;
}

const ASSIGNMENT_COLUMNS = `task_key as "taskKey", category, progress, target, reward_credits as "rewardCredits",
  completed_at as "completedAt", claimed_at as "claimedAt"`;

/**
 * The user's touch of the day, in one statement: inserts the day's chosen rows that are missing (never a
 * second task in a category that already has one, e.g. the 00:00 job's pick under older definitions),
 * completes `login_daily`, and returns the day's rows. Rows the statement wrote come from RETURNING, the
 * others from the statement's snapshot.
 */
const TOUCH = statement(
  "task_center_touch",
  `with ins as (
     insert into task_assignments
       (user_id, day, task_key, category, progress, target, reward_credits, completed_at, assigned_by, assigned_at)
     select $1, $2::date, v.task_key, v.category,
       case when v.task_key = 'login_daily' then v.target else 0 end, v.target, v.reward_credits,
       case when v.task_key = 'login_daily' then $3::timestamptz end, 'touch', $3::timestamptz
     from unnest($4::text[], $5::text[], $6::int[], $7::int[]) as v(task_key, category, target, reward_credits)
     where not exists (
       select 1 from task_assignments o
       where o.user_id = $1 and o.day = $2::date and o.category = v.category and o.task_key <> v.task_key)
     on conflict (user_id, day, task_key) do update
       set progress = task_assignments.target, completed_at = excluded.assigned_at
       where task_assignments.task_key = 'login_daily' and task_assignments.completed_at is null
     returning ${ASSIGNMENT_COLUMNS}
   )
   select * from ins
   union all
   select ${ASSIGNMENT_COLUMNS} from task_assignments t
   where t.user_id = $1 and t.day = $2::date and t.task_key not in (select "taskKey" from ins)`,
);

const touchValues = (userId: string, day: string, at: Date, tasks: ProposedTask[]) => [
  userId,
  day,
  at.toISOString(),
  tasks.map((t) => t.key),
  tasks.map((t) => t.category),
  tasks.map((t) => t.target),
  tasks.map((t) => t.rewardCredits),
];

export function touch(
  ex: Executor,
  userId: string,
  day: string,
  at: Date,
  tasks: ProposedTask[],
): Promise<AssignmentRow[]> {
  return send<AssignmentRow>(ex, TOUCH, touchValues(userId, day, at, tasks));
}

/** The touch inside a login's transaction: it travels with the COMMIT (no round trip of its own). */
export function touchWithCommit(tx: Tx, userId: string, day: string, at: Date, tasks: ProposedTask[]): void {
  sendWithCommit(tx, TOUCH, touchValues(userId, day, at, tasks));
}

const LIST_DAY = statement(
  "task_center_list_day",
  `select ${ASSIGNMENT_COLUMNS} from task_assignments where user_id = $1 and day = $2::date`,
);

export const listDay = (ex: Executor, userId: string, day: string): Promise<AssignmentRow[]> =>
  send<AssignmentRow>(ex, LIST_DAY, [userId, day]);

/** The claim's compare-and-set: only a completed, unclaimed task of that day; its reward, or nothing. */
const CLAIM = statement(
  "task_center_claim",
  `update task_assignments set claimed_at = $4::timestamptz
   where user_id = $1 and day = $2::date and task_key = $3 and completed_at is not null and claimed_at is null
   returning reward_credits as "rewardCredits"`,
);

export async function claim(
  tx: Tx,
  userId: string,
  day: string,
  taskKey: string,
  at: Date,
): Promise<{ rewardCredits: number } | null> {
  const [row] = await send<{ rewardCredits: number }>(tx, CLAIM, [userId, day, taskKey, at.toISOString()]);
  return row ?? null;
}

const FIND_ONE = statement(
  "task_center_find",
  `select ${ASSIGNMENT_COLUMNS} from task_assignments where user_id = $1 and day = $2::date and task_key = $3`,
);

export async function findAssignment(
  ex: Executor,
  userId: string,
  day: string,
  taskKey: string,
): Promise<AssignmentRow | null> {
  const [row] = await send<AssignmentRow>(ex, FIND_ONE, [userId, day, taskKey]);
  return row ?? null;
}

/**
 * "Recently active" for the 00:00 job: the user's login_daily was completed on one of `days`, i.e. they
 * logged in, opened 我的 or the task center that day (every touch completes it; the job's own rows start
 * uncompleted, so a user the job assigned who never came back drops out after 7 days). One page of
 * candidates in user_id order after `afterUserId` (one ordered range per day, merged), each with whether
 * the account may still get tasks (not banned or closed).
 */
const ACTIVE_USERS = statement(
  "task_center_active_users",
  `select c.user_id as "userId", coalesce(u.status = 'active', false) as "eligible"
   from (
     select distinct a.user_id from unnest($1::date[]) as d(day)
     cross join lateral (
       select t.user_id from task_assignments t
       where t.day = d.day and t.task_key = 'login_daily' and t.completed_at is not null and t.user_id > $2
       order by t.user_id
       limit $3
     ) a
     order by a.user_id
     limit $3
   ) c
   left join users u on u.id = c.user_id
   order by c.user_id`,
);

export function activeUsers(
  ex: Executor,
  days: string[],
  afterUserId: string,
  limit: number,
): Promise<{ userId: string; eligible: boolean }[]> {
  return send<{ userId: string; eligible: boolean }>(ex, ACTIVE_USERS, [days, afterUserId, limit]);
}

/** The job's rows for a batch of users (login_daily not completed yet); idempotent. */
const ASSIGN = statement(
  "task_center_assign",
  `insert into task_assignments
     (user_id, day, task_key, category, progress, target, reward_credits, assigned_by, assigned_at)
   select v.user_id, $1::date, v.task_key, v.category, 0, v.target, v.reward_credits, 'job', $2::timestamptz
   from unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
     as v(user_id, task_key, category, target, reward_credits)
   where not exists (
     select 1 from task_assignments o
     where o.user_id = v.user_id and o.day = $1::date and o.category = v.category and o.task_key <> v.task_key)
   on conflict (user_id, day, task_key) do nothing
   returning user_id as "userId"`,
);

export async function assign(
  ex: Executor,
  day: string,
  at: Date,
  rows: { userId: string; task: ProposedTask }[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await send<{ userId: string }>(ex, ASSIGN, [
    day,
    at.toISOString(),
    rows.map((r) => r.userId),
    rows.map((r) => r.task.key),
    rows.map((r) => r.task.category),
    rows.map((r) => r.task.target),
    rows.map((r) => r.task.rewardCredits),
  ]);
  return inserted.map((r) => r.userId);
}
