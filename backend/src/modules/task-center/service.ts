import { createHash } from "node:crypto";
import {
  type DailyTask,
  type DailyTaskStatus,
  ErrorCode,
  type TaskCategory,
  type TaskClaimResult,
  type TaskKey,
  type TasksToday,
  taskCategory,
  taskKey,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/client.js";
import { accountsOf, type IdempotencyHandle, platform, post, withIdempotency } from "../../ledger/index.js";
import { AppError, type Locale } from "../../lib/errors.js";
import { nextShanghaiDayStart, shanghaiDate } from "../../lib/time.js";
import * as repo from "./repository.js";

/** A catalogue row this build knows how to show (its key and category are in the contract). */
export interface TaskDefinition {
  key: TaskKey;
  category: TaskCategory;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  rewardCredits: number;
  target: number;
  active: boolean;
  sort: number;
}

const LOGIN_TASK: TaskKey = "login_daily";
const CATEGORY_ORDER: TaskCategory[] = ["active", "create", "interact"];
const DAY_MS = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------------
// The catalogue, cached in process: loaded once, then refreshed in the background at most every 60 s,
// so the hot paths (a like, a follow, a login) never read it.

const DEFINITIONS_TTL_MS = 60_000;

interface Catalogue {
  rows: TaskDefinition[];
  byKey: Map<string, TaskDefinition>;
  loadedAt: number;
}

let catalogue: Catalogue | null = null;
let refreshing: Promise<void> | null = null;
/** Where background refreshes read from (the pool; never a transaction that may be gone). */
let source: Executor | null = null;

function toCatalogue(rows: repo.TaskDefinitionRow[]): Catalogue {
  const known = rows.filter(
    (r) => taskKey.safeParse(r.key).success && taskCategory.safeParse(r.category).success,
  ) as TaskDefinition[];
  return { rows: known, byKey: new Map(known.map((d) => [d.key, d])), loadedAt: Date.now() };
}

function refreshInBackground(): void {
  if (refreshing || !source) return;
  refreshing = repo
    .loadDefinitions(source)
    .then((rows) => {
      catalogue = toCatalogue(rows);
    })
    .catch(() => undefined)
    .finally(() => {
      refreshing = null;
    });
}

/** Binds the cache to the app's database and loads it (at startup, before the first request). */
export async function primeDefinitions(db: Executor): Promise<void> {
  source = db;
  catalogue = toCatalogue(await repo.loadDefinitions(db));
}

/** The cached catalogue without waiting (null only before the first load); schedules a stale refresh. */
function peekCatalogue(): Catalogue | null {
  if (catalogue && Date.now() - catalogue.loadedAt > DEFINITIONS_TTL_MS) refreshInBackground();
  return catalogue;
}

/**
 * The catalogue, loading it through `ex` if this process has none yet (`ex` may be the caller's
 * transaction: on the embedded database a read on the pool would wait for that very transaction).
 */
async function catalogueVia(ex: Executor): Promise<Catalogue> {
  const cached = peekCatalogue();
  if (cached) return cached;
  const loaded = toCatalogue(await repo.loadDefinitions(ex));
  catalogue ??= loaded;
  return loaded;
}

export async function definitions(ex: Executor): Promise<TaskDefinition[]> {
  return (await catalogueVia(ex)).rows;
}

// ---------------------------------------------------------------------------------------------------
// The daily choice.

/** The active definition of `category` a user gets that day: sha256(`user:day:category`) over them. */
function choose(
  userId: string,
  day: string,
  category: TaskCategory,
  defs: TaskDefinition[],
): TaskDefinition | null {
  const pool = defs
    .filter((d) => d.active && d.category === category)
    .sort((a, b) => a.sort - b.sort || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (pool.length === 0) return null;
  const digest = createHash("sha256").update(`${userId}:${day}:${category}`).digest();
  return pool[digest.readUInt32BE(0) % pool.length] ?? null;
}

/**
 * A user's tasks of a Shanghai day: login_daily (when active) plus one create and one interact task,
 * deterministic for (user, day, catalogue).
 */
export function tasksFor(userId: string, day: string, defs: TaskDefinition[]): TaskDefinition[] {
  const chosen: TaskDefinition[] = [];
  const login = defs.find((d) => d.key === LOGIN_TASK && d.active);
  if (login) chosen.push(login);
  for (const category of ["create", "interact"] as const) {
    const pick = choose(userId, day, category, defs);
    if (pick) chosen.push(pick);
  }
  return chosen;
}

const proposed = (defs: TaskDefinition[]): repo.ProposedTask[] =>
  defs.map((d) => ({ key: d.key, category: d.category, target: d.target, rewardCredits: d.rewardCredits }));

/**
 * What an action of `kind` (a task key) needs to progress the user's task of `day` inside the action's
 * own statement (see activity/repository.ts): the definition's category, target, reward and titles, and
 * whether today's choice for that category is this task (then a missing row may be inserted; otherwise
 * only a row already assigned, e.g. by the 00:00 job under older definitions, progresses).
 */
export interface ActionTask {
  category: string | null;
  target: number | null;
  rewardCredits: number | null;
  chosen: boolean;
  titleZh: string | null;
  titleEn: string | null;
}

export function actionTask(userId: string, kind: string, day: string): ActionTask {
  const cat = peekCatalogue();
  const def = cat?.byKey.get(kind);
  if (!cat || !def) {
    // Not loaded yet in this process (startup primes it) or not a known task: only an existing row moves.
    if (!cat) refreshInBackground();
    return { category: null, target: null, rewardCredits: null, chosen: false, titleZh: null, titleEn: null };
  }
  return {
    category: def.category,
    target: def.target,
    rewardCredits: def.rewardCredits,
    chosen: def.active && choose(userId, day, def.category, cat.rows)?.key === def.key,
    titleZh: def.titleZh,
    titleEn: def.titleEn,
  };
}

// ---------------------------------------------------------------------------------------------------
// Touches: the first of the day creates the day's rows (unless the 00:00 job did) and completes login_daily.

/** Inside a login's transaction (SMS or WeChat): travels with its COMMIT. */
export async function touchInTx(tx: Tx, userId: string, now: Date): Promise<void> {
  const day = shanghaiDate(now);
  const cat = await catalogueVia(tx);
  repo.touchWithCommit(tx, userId, day, now, proposed(tasksFor(userId, day, cat.rows)));
}

/** `GET /me/home` and any other read that counts as opening the app. */
export async function touch(ctx: AppContext, userId: string): Promise<void> {
  const now = ctx.clock.now();
  const day = shanghaiDate(now);
  const cat = await catalogueVia(ctx.db);
  await repo.touch(ctx.db, userId, day, now, proposed(tasksFor(userId, day, cat.rows)));
}

const statusOf = (row: repo.AssignmentRow): DailyTaskStatus =>
  row.claimedAt ? "claimed" : row.completedAt ? "completed" : "in_progress";

const isoOf = (at: Date | string | null): string | null => (at === null ? null : new Date(at).toISOString());

function present(row: repo.AssignmentRow, cat: Catalogue, locale: Locale): DailyTask | null {
  const key = taskKey.safeParse(row.taskKey);
  const category = taskCategory.safeParse(row.category);
  if (!key.success || !category.success) return null;
  const def = cat.byKey.get(row.taskKey);
  const en = locale === "en";
  return {
    task_key: key.data,
    category: category.data,
    title: def ? (en ? def.titleEn : def.titleZh) : row.taskKey,
    description: def ? (en ? def.descriptionEn : def.descriptionZh) : "",
    reward_credits: row.rewardCredits,
    progress: row.progress,
    target: row.target,
    status: statusOf(row),
    completed_at: isoOf(row.completedAt),
    claimed_at: isoOf(row.claimedAt),
  };
}

const categoryRank = (c: string) => {
  const i = CATEGORY_ORDER.indexOf(c as TaskCategory);
  return i < 0 ? CATEGORY_ORDER.length : i;
};

/** `GET /tasks_center/today`: the request is the user's touch of the day. */
export async function today(ctx: AppContext, userId: string, locale: Locale): Promise<TasksToday> {
  const now = ctx.clock.now();
  const day = shanghaiDate(now);
  const cat = await catalogueVia(ctx.db);
  const chosen = tasksFor(userId, day, cat.rows);
  let rows = await repo.touch(ctx.db, userId, day, now, proposed(chosen));
  // A concurrent first touch (两个请求同时打开) inserted rows this statement's snapshot could not see.
  if (rows.length < chosen.length) rows = await repo.listDay(ctx.db, userId, day);
  const tasks = rows
    .slice()
    .sort(
      (a, b) =>
        categoryRank(a.category) - categoryRank(b.category) ||
        (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0),
    )
    .map((r) => present(r, cat, locale))
    .filter((t): t is DailyTask => t !== null);
  return { day, tasks, resets_at: nextShanghaiDayStart(now).toISOString() };
}

// ---------------------------------------------------------------------------------------------------
// Claims.

const claimConflict = (key: TaskKey, status: DailyTaskStatus | null) => {
  const text =
    status === "claimed"
      ? { zh: "奖励已领取", en: "Reward already claimed" }
      : status === "in_progress"
        ? { zh: "任务尚未完成", en: "Task not completed yet" }
        : { zh: "不是今日任务", en: "Not one of today's tasks" };
  return new AppError(ErrorCode.STATE_CONFLICT, { task_key: key, status }, text);
};

/**
 * `POST /tasks_center/claim`: marks a completed task of today (the Shanghai day of now) claimed with a
 * compare-and-set and posts its reward (`bonus`) from the platform's grant account, in one transaction.
 */
export async function claim(
  ctx: AppContext,
  userId: string,
  key: TaskKey,
  idempotency?: IdempotencyHandle<TaskClaimResult>,
): Promise<TaskClaimResult> {
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const day = shanghaiDate(now);
    const claimed = await repo.claim(tx, userId, day, key, now);
    if (!claimed) {
      const row = await repo.findAssignment(tx, userId, day, key);
      throw claimConflict(key, row ? statusOf(row) : null);
    }
    const title = catalogue?.byKey.get(key)?.titleZh ?? key;
    const amount = BigInt(claimed.rewardCredits);
    const posted = await post(tx, {
      businessKey: `task:${userId}:${day}:${key}:claim`,
      type: "bonus",
      refType: "daily_task",
      refId: `${day}:${key}`,
      description: `任务奖励：${title}`,
      at: now,
      postings: [
        { account: accountsOf(userId).credits, amount, entryType: "bonus" },
        { account: platform.creditsGranted(userId), amount: -amount, entryType: "bonus" },
      ],
    });
    const own = posted.entries.find((e) => e.accountId === accountsOf(userId).credits.id);
    if (!own) throw new Error("task reward posted no user entry");
    return {
      task_key: key,
      reward_credits: claimed.rewardCredits,
      ledger_id: own.id,
      balance_after: Number(own.balanceAfter),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The 00:00 job.

const ASSIGN_BATCH_USERS = 500;
/** A run a little before midnight (a cron firing early, a clock skew) still assigns the coming day. */
const ASSIGN_LEAD_MS = 60_000;
const ACTIVE_WINDOW_DAYS = 7;

const addDays = (day: string, n: number) =>
  new Date(new Date(`${day}T00:00:00Z`).getTime() + n * DAY_MS).toISOString().slice(0, 10);

/**
 * `taskcenter.assign_daily`: the three rows of the Shanghai day containing now + 1 min for every user
 * active in the 7 days before it (see repository `activeUsers`), in batches; running it again adds
 * nothing. Returns how many users got rows now.
 */
export async function assignDaily(ctx: AppContext): Promise<{ day: string; users: number }> {
  const now = ctx.clock.now();
  const day = shanghaiDate(new Date(now.getTime() + ASSIGN_LEAD_MS));
  const cat = await catalogueVia(ctx.db);
  const window = Array.from({ length: ACTIVE_WINDOW_DAYS }, (_, i) => addDays(day, -1 - i));
  let after = "";
  let assigned = 0;
  for (;;) {
    const page = await repo.activeUsers(ctx.db, window, after, ASSIGN_BATCH_USERS);
    const rows = page
      .filter((u) => u.eligible)
      .flatMap(({ userId }) => proposed(tasksFor(userId, day, cat.rows)).map((task) => ({ userId, task })));
    assigned += new Set(await repo.assign(ctx.db, day, now, rows)).size;
    if (page.length < ASSIGN_BATCH_USERS) break;
    after = page[page.length - 1]?.userId as string;
  }
  return { day, users: assigned };
}
