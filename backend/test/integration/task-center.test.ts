import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { shanghaiDate } from "../../src/lib/time.js";
import {
  definitions,
  primeDefinitions,
  type TaskDefinition,
  tasksFor,
} from "../../src/modules/task-center/service.js";
import { createSimulatedVendor } from "../../src/vendors/simulated.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { type Api, call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { insertWork, newUser, type TestUser } from "../helpers/community.js";

const DAY_MS = 24 * 3600_000;
const SIM_SECONDS = 20;
// 10:00 in Shanghai.
const START = new Date("2026-12-01T02:00:00.000Z");

let t: TestApp;
let defs: TaskDefinition[];
beforeAll(async () => {
  const holder: { t?: TestApp } = {};
  const vendors = new Map<VendorName, VideoVendor>([
    [
      "simulated",
      createSimulatedVendor({
        workDir: `${process.env.TMPDIR ?? "/tmp"}/skyriff-sim-tc-${process.pid}`,
        totalSeconds: SIM_SECONDS,
        now: () => (holder.t ? holder.t.clock.now().getTime() : Date.now()),
      }),
    ],
  ]);
  t = await startTestApp({ start: START, server: { vendors } });
  holder.t = t;
  defs = await definitions(t.ctx.db);
});
afterAll(async () => t?.close());

/** Moves the app's clock to `at` (only ever forward in this file, so tokens and orders stay sane). */
function setClock(at: Date): void {
  const delta = at.getTime() - t.clock.now().getTime();
  if (delta < 0) throw new Error(`clock would move back to ${at.toISOString()}`);
  t.clock.advance(delta);
}
/** 10:00 Shanghai of a Shanghai day. */
const morningOf = (day: string) => new Date(`${day}T02:00:00.000Z`);
const dayAfter = (day: string, n = 1) =>
  new Date(new Date(`${day}T00:00:00Z`).getTime() + n * DAY_MS).toISOString().slice(0, 10);

const today = (token: string, lang?: string) =>
  call(t, "GET", "/api/v1/tasks_center/today", { token, headers: lang ? { "accept-language": lang } : {} });
const claim = (token: string, taskKey: string, key?: string) =>
  call(t, "POST", "/api/v1/tasks_center/claim", {
    token,
    body: { task_key: taskKey },
    headers: key ? { "idempotency-key": key } : {},
  });
const balance = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
const grant = (userId: string, credits: number) =>
  call(t, "POST", "/api/v1/dev/grant", { body: { user_id: userId, credits } });

interface Row {
  task_key: string;
  category: string;
  progress: number;
  completed: boolean;
  claimed: boolean;
  assigned_by: string;
  assigned_at: string;
}
const rowsOf = (userId: string, day: string) =>
  queryRows<Row>(
    t.ctx.db,
    sql`select task_key, category, progress, completed_at is not null as completed,
          claimed_at is not null as claimed, assigned_by, assigned_at::text as assigned_at
        from task_assignments where user_id = ${userId} and day = ${day}::date order by task_key`,
  );
const keysFor = (userId: string, day: string): string[] =>
  tasksFor(userId, day, defs)
    .map((d) => d.key)
    .sort();
const notificationsOf = (userId: string, kind: string) =>
  queryRows<{ data: Record<string, unknown>; dedupe_key: string; ref_type: string; ref_id: string }>(
    t.ctx.db,
    sql`select data, dedupe_key, ref_type, ref_id from notifications where user_id = ${userId} and kind = ${kind}`,
  );
const byKey = (body: Api["body"], key: string) =>
  (body.data.tasks as { task_key: string; status: string }[]).find((x) => x.task_key === key);

/**
 * A fresh user and the first Shanghai day (from `fromDay` days ahead, within the next 5 so the token
 * stays valid) whose choice includes `key` (or not, `want` false); tries further users if needed.
 */
async function userWhoseDayHas(
  key: string,
  want = true,
  fromDay = 0,
): Promise<{ user: TestUser; day: string }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const user = await newUser(t);
    for (let d = fromDay; d < 6; d++) {
      const day = shanghaiDate(new Date(t.clock.now().getTime() + d * DAY_MS));
      if (keysFor(user.id, day).includes(key) === want) return { user, day };
    }
  }
  throw new Error(`no user/day found with ${key}=${want}`);
}
/** Moves to 10:00 of `day` unless that is already past (then stays: it is that day already). */
function goTo(day: string): void {
  if (shanghaiDate(t.clock.now()) !== day) setClock(morningOf(day));
}

describe("the daily choice", () => {
  it("is login_daily + one create + one interact, deterministic per user and day", () => {
    const a = tasksFor("user-a", "2026-12-01", defs);
    expect(a.map((d) => d.category)).toEqual(["active", "create", "interact"]);
    expect(a[0]?.key).toBe("login_daily");
    expect(tasksFor("user-a", "2026-12-01", defs)).toEqual(a);
    // Over many users, every create and interact task is handed out.
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const d of tasksFor(`u${i}`, "2026-12-01", defs)) seen.add(d.key);
    expect([...seen].sort()).toEqual(defs.map((d) => d.key).sort());
  });
});

describe("GET /tasks_center/today and claims", () => {
  it("after login: three tasks, login_daily completed, the other two in progress", async () => {
    const u = await login(t);
    const day = shanghaiDate(t.clock.now());
    // The login alone (before any task-center request) created the day and completed login_daily.
    const rows = await rowsOf(u.user.user_id, day);
    expect(rows.map((r) => r.task_key)).toEqual(keysFor(u.user.user_id, day));
    expect(rows.find((r) => r.task_key === "login_daily")).toMatchObject({ completed: true, progress: 1 });
    expect(rows.every((r) => r.assigned_by === "touch")).toBe(true);

    const res = await today(u.access_token);
    expect(res.status).toBe(200);
    expect(res.body.data.day).toBe(day);
    expect(res.body.data.resets_at).toBe("2026-12-01T16:00:00.000Z");
    const tasks = res.body.data.tasks;
    expect(tasks.map((x: { category: string }) => x.category)).toEqual(["active", "create", "interact"]);
    expect(tasks.map((x: { task_key: string }) => x.task_key).sort()).toEqual(keysFor(u.user.user_id, day));
    expect(tasks[0]).toMatchObject({
      task_key: "login_daily",
      title: "每日登录",
      reward_credits: 2,
      progress: 1,
      target: 1,
      status: "completed",
      claimed_at: null,
    });
    expect(new Date(tasks[0].completed_at).getTime()).toBeLessThanOrEqual(t.clock.now().getTime());
    for (const x of tasks.slice(1))
      expect(x).toMatchObject({ status: "in_progress", progress: 0, completed_at: null });

    const en = await today(u.access_token, "en-US,en;q=0.9");
    expect(en.body.data.tasks[0]).toMatchObject({
      title: "Daily check-in",
      description: "Open SkyRiff today",
    });
  });

  it("claim login_daily: +2 bonus once; the same key replays; again or in progress → 409/2007", async () => {
    const u = await login(t);
    const token = u.access_token;
    const day = shanghaiDate(t.clock.now());
    const first = await claim(token, "login_daily", "claim-login-0001");
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ task_key: "login_daily", reward_credits: 2, balance_after: 2 });
    expect(await balance(token)).toBe(2);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token });
    expect(ledger.body.data.items).toHaveLength(1);
    expect(ledger.body.data.items[0]).toMatchObject({
      ledger_id: first.body.data.ledger_id,
      type: "bonus",
      amount: 2,
      balance_after: 2,
      description: "任务奖励：每日登录",
    });

    const replay = await claim(token, "login_daily", "claim-login-0001");
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);

    const again = await claim(token, "login_daily");
    expect(again.status).toBe(409);
    expect(again.body.code).toBe(2007);
    expect(again.body.data).toEqual({ task_key: "login_daily", status: "claimed" });
    const againWithKey = await claim(token, "login_daily", "claim-login-0002");
    expect(againWithKey.status).toBe(409);
    expect(await balance(token)).toBe(2);

    const [, create] = tasksFor(u.user.user_id, day, defs);
    const notDone = await claim(token, create?.key as string);
    expect(notDone.status).toBe(409);
    expect(notDone.body.code).toBe(2007);
    expect(notDone.body.data).toEqual({ task_key: create?.key, status: "in_progress" });

    const other = defs.find((d) => d.category === "create" && d.key !== create?.key)?.key as string;
    const notMine = await claim(token, other);
    expect(notMine.status).toBe(409);
    expect(notMine.body.data).toEqual({ task_key: other, status: null });
    expect(await balance(token)).toBe(2);

    const view = await today(token);
    expect(byKey(view.body, "login_daily")).toMatchObject({ status: "claimed" });
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("an unknown task key is a validation error", async () => {
    const u = await login(t);
    const res = await claim(u.access_token, "sleep_daily");
    expect(res.status).toBe(422);
    expect(res.body.code).toBe(4220);
  });
});

describe("completion in the action's transaction", () => {
  it("a like completes like_work when it is the user's interact task, once, with a notification", async () => {
    const creator = await newUser(t);
    const w1 = await insertWork(t, creator.id);
    const w2 = await insertWork(t, creator.id);
    const { user, day } = await userWhoseDayHas("like_work", true, 1);
    goTo(day);
    // No touch yet that day: the like inserts its row completed.
    expect(await rowsOf(user.id, day)).toEqual([]);
    const liked = await call(t, "POST", `/api/v1/works/${w1.id}/like`, { token: user.token });
    expect(liked.status).toBe(200);
    expect(await rowsOf(user.id, day)).toEqual([
      expect.objectContaining({ task_key: "like_work", category: "interact", progress: 1, completed: true }),
    ]);
    const notes = await notificationsOf(user.id, "daily_task_completed");
    expect(notes).toEqual([
      {
        data: {
          title_zh: "点赞 1 个作品",
          title_en: "Like a work",
          reward_credits: 2,
          task_key: "like_work",
        },
        dedupe_key: `task:${user.id}:${day}:like_work:done`,
        ref_type: "daily_task",
        ref_id: "like_work",
      },
    ]);

    // The day's first touch keeps the completed row and adds the rest.
    const view = await today(user.token);
    expect(view.body.data.tasks.map((x: { task_key: string }) => x.task_key).sort()).toEqual(
      keysFor(user.id, day),
    );
    expect(byKey(view.body, "like_work")).toMatchObject({ status: "completed", progress: 1 });
    expect(byKey(view.body, "login_daily")).toMatchObject({ status: "completed" });

    // A second like: nothing more (no second notification, progress stays at the target).
    await call(t, "POST", `/api/v1/works/${w2.id}/like`, { token: user.token });
    expect(await notificationsOf(user.id, "daily_task_completed")).toHaveLength(1);
    expect((await rowsOf(user.id, day)).find((r) => r.task_key === "like_work")?.progress).toBe(1);

    const claimed = await claim(user.token, "like_work");
    expect(claimed.status).toBe(200);
    expect(claimed.body.data).toMatchObject({ task_key: "like_work", reward_credits: 2 });
  });

  it("a like by a user whose interact task is not like_work completes nothing", async () => {
    const creator = await newUser(t);
    const w1 = await insertWork(t, creator.id);
    const w2 = await insertWork(t, creator.id);
    const { user, day } = await userWhoseDayHas("like_work", false, 1);
    goTo(day);
    // Without the day's rows…
    await call(t, "POST", `/api/v1/works/${w1.id}/like`, { token: user.token });
    expect(await rowsOf(user.id, day)).toEqual([]);
    // …and with them.
    const view = await today(user.token);
    const interact = view.body.data.tasks.find((x: { category: string }) => x.category === "interact");
    expect(interact.task_key).not.toBe("like_work");
    await call(t, "POST", `/api/v1/works/${w2.id}/like`, { token: user.token });
    const rows = await rowsOf(user.id, day);
    expect(rows.map((r) => r.task_key)).toEqual(keysFor(user.id, day));
    expect(rows.find((r) => r.category === "interact")).toMatchObject({ completed: false, progress: 0 });
    expect(await notificationsOf(user.id, "daily_task_completed")).toEqual([]);
    // The like itself still counts as activity.
    const events = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from activity_events where user_id = ${user.id} and kind = 'like_work'`,
    );
    expect(events[0]?.n).toBe(2);
  });

  it("a rolled-back action completes nothing: a tip refused for credits leaves tip_and_favorite open", async () => {
    const creator = await newUser(t);
    const work = await insertWork(t, creator.id);
    const { user, day } = await userWhoseDayHas("tip_and_favorite");
    goTo(day);
    await today(user.token);
    const refused = await call(t, "POST", `/api/v1/works/${work.id}/tip_and_favorite`, {
      token: user.token,
      body: { amount_credits: 10 },
    });
    expect(refused.status).toBe(402);
    expect((await rowsOf(user.id, day)).find((r) => r.task_key === "tip_and_favorite")).toMatchObject({
      completed: false,
    });
    expect(await notificationsOf(user.id, "daily_task_completed")).toEqual([]);

    await grant(user.id, 10);
    const tipped = await call(t, "POST", `/api/v1/works/${work.id}/tip_and_favorite`, {
      token: user.token,
      body: { amount_credits: 10 },
    });
    expect(tipped.status).toBe(200);
    expect((await rowsOf(user.id, day)).find((r) => r.task_key === "tip_and_favorite")).toMatchObject({
      completed: true,
    });
    expect(await notificationsOf(user.id, "daily_task_completed")).toHaveLength(1);
  });
});

describe("generation tasks", () => {
  async function runToEnd(token: string, taskId: string): Promise<Api> {
    await t.ctx.jobs.idle();
    for (let i = 0; i < 12; i++) {
      t.clock.advance((SIM_SECONDS * 1000) / 8);
      await runJob(t, "generation.poll_sweep");
      const now = await call(t, "GET", `/api/v1/tasks/${taskId}`, { token });
      if (now.body.data.status === "SUCCESS" || now.body.data.status === "FAILURE") return now;
    }
    throw new Error("task did not finish");
  }
  const create = (token: string, prompt: string) =>
    call(t, "POST", "/api/v1/tasks/create", {
      token,
      body: { duration_sec: 10, ratio: "9:16", model: "skyriff-sim", prompt },
    });

  it("a success completes gen_success and tells the user; a failure tells the refund", async () => {
    const { user, day } = await userWhoseDayHas("gen_success");
    goTo(day);
    await grant(user.id, 30);
    const before = await today(user.token);
    expect(byKey(before.body, "gen_success")).toMatchObject({ status: "in_progress" });

    const created = await create(user.token, "海边日落，电影感");
    expect(created.status).toBe(200);
    const taskId = created.body.data.task_id as string;
    const done = await runToEnd(user.token, taskId);
    expect(done.body.data.status).toBe("SUCCESS");
    expect(shanghaiDate(t.clock.now())).toBe(day);

    const after = await today(user.token);
    expect(byKey(after.body, "gen_success")).toMatchObject({ status: "completed", progress: 1 });
    expect(await notificationsOf(user.id, "generation_succeeded")).toEqual([
      {
        data: { duration_seconds: 10, task_id: taskId },
        dedupe_key: `task:${taskId}:succeeded`,
        ref_type: "video",
        ref_id: done.body.data.video_id,
      },
    ]);
    expect(await notificationsOf(user.id, "daily_task_completed")).toEqual([
      expect.objectContaining({ dedupe_key: `task:${user.id}:${day}:gen_success:done` }),
    ]);
    expect((await claim(user.token, "gen_success")).status).toBe(200);

    const failing = await create(user.token, "会失败的任务 #fail");
    const failed = await runToEnd(user.token, failing.body.data.task_id);
    expect(failed.body.data.status).toBe("FAILURE");
    const failures = await notificationsOf(user.id, "generation_failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      data: { refunded_credits: 10 },
      dedupe_key: `task:${failing.body.data.task_id}:failed`,
      ref_type: "task",
      ref_id: failing.body.data.task_id,
    });
    expect(String(failures[0]?.data.reason)).not.toMatch(/积分已退回$/);
    expect(String(failures[0]?.data.reason).length).toBeGreaterThan(0);
    expect(await balance(user.token)).toBe(30 - 10 + 2);
  });
});

describe("the Shanghai day", () => {
  it("rolls at 16:00 UTC: yesterday's claim does not block today's; /me/home is a touch too", async () => {
    const day = shanghaiDate(t.clock.now());
    setClock(new Date(`${day}T15:59:59.000Z`));
    const u = await login(t);
    const token = u.access_token;
    const late = await today(token);
    expect(late.body.data.day).toBe(day);
    expect(late.body.data.resets_at).toBe(`${day}T16:00:00.000Z`);
    expect((await claim(token, "login_daily")).status).toBe(200);

    setClock(new Date(`${day}T16:00:00.000Z`));
    const next = dayAfter(day);
    // Opening 我的 is the first touch of the new day.
    expect((await call(t, "GET", "/api/v1/me/home", { token })).status).toBe(200);
    const rows = await rowsOf(u.user.user_id, next);
    expect(rows.map((r) => r.task_key)).toEqual(keysFor(u.user.user_id, next));
    expect(rows.find((r) => r.task_key === "login_daily")).toMatchObject({ completed: true, claimed: false });

    const view = await today(token);
    expect(view.body.data.day).toBe(next);
    expect(byKey(view.body, "login_daily")).toMatchObject({ status: "completed", claimed_at: null });
    const second = await claim(token, "login_daily");
    expect(second.status).toBe(200);
    expect(second.body.data.balance_after).toBe(4);
    expect((await claim(token, "login_daily")).status).toBe(409);
  });
});

// Real PostgreSQL only (PGlite runs one statement at a time): requests that really race.
describe.runIf(Boolean(process.env.DATABASE_URL))("under concurrency (real PostgreSQL)", () => {
  it("10 concurrent claims of one task pay once", async () => {
    const u = await login(t);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        claim(u.access_token, "login_daily", `race-claim-${i}-${u.phone}`),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.code).toBe(2007);
    expect(await balance(u.access_token)).toBe(2);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("concurrent first touches of a day all see the three tasks, written once", async () => {
    const u = await newUser(t);
    const day = dayAfter(shanghaiDate(t.clock.now()));
    goTo(day);
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => today(u.token)),
      ...Array.from({ length: 5 }, () => call(t, "GET", "/api/v1/me/home", { token: u.token })),
    ]);
    for (const a of answers) expect(a.status).toBe(200);
    for (const a of answers.slice(0, 5)) {
      expect(a.body.data.tasks.map((x: { task_key: string }) => x.task_key).sort()).toEqual(
        keysFor(u.id, day),
      );
      expect(byKey(a.body, "login_daily")).toMatchObject({ status: "completed" });
    }
    expect((await rowsOf(u.id, day)).map((r) => r.task_key)).toEqual(keysFor(u.id, day));
  });

  it("20 concurrent likes of different works complete like_work once, with one notification", async () => {
    const creator = await newUser(t);
    const works = await Promise.all(Array.from({ length: 20 }, () => insertWork(t, creator.id)));
    const { user, day } = await userWhoseDayHas("like_work", true, 1);
    goTo(day);
    const answers = await Promise.all(
      works.map((w) => call(t, "POST", `/api/v1/works/${w.id}/like`, { token: user.token })),
    );
    for (const a of answers) expect(a.status).toBe(200);
    expect(await rowsOf(user.id, day)).toEqual([
      expect.objectContaining({ task_key: "like_work", progress: 1, completed: true }),
    ]);
    expect(await notificationsOf(user.id, "daily_task_completed")).toHaveLength(1);
  });
});

describe("taskcenter.assign_daily", () => {
  const run = (at: string) =>
    call(t, "POST", "/api/v1/dev/jobs/taskcenter.assign_daily/run", { body: { at } });

  it("assigns the next Shanghai day to recently active users with exactly tasksFor's mix, once", async () => {
    // Far enough ahead that every earlier user of this file was last active more than 7 days ago.
    setClock(new Date(t.clock.now().getTime() + 30 * DAY_MS));
    const day = shanghaiDate(t.clock.now());
    const next = dayAfter(day);
    const p = await newUser(t);
    const q = await newUser(t);
    expect(await rowsOf(p.id, next)).toEqual([]);

    // A run a few seconds before 00:00 Shanghai already assigns the coming day.
    const early = await run(`${day}T15:59:58.000Z`);
    expect(early.status).toBe(200);
    expect(early.body.data).toMatchObject({
      job: "taskcenter.assign_daily",
      status: "done",
      detail: "2 users",
    });
    const snapshot = { p: await rowsOf(p.id, next), q: await rowsOf(q.id, next) };
    for (const [u, rows] of [
      [p, snapshot.p],
      [q, snapshot.q],
    ] as const) {
      expect(rows.map((r) => r.task_key)).toEqual(keysFor(u.id, next));
      expect(rows.map((r) => r.category).sort()).toEqual(["active", "create", "interact"]);
      expect(rows.every((r) => r.assigned_by === "job" && !r.completed && r.progress === 0)).toBe(true);
    }
    // The exact mix the hash gives (recomputed from scratch).
    const fresh = await definitions(t.ctx.db);
    expect(snapshot.p.map((r) => r.task_key)).toEqual(
      tasksFor(p.id, next, fresh)
        .map((d) => d.key)
        .sort(),
    );
    expect(snapshot.q.map((r) => r.task_key)).toEqual(
      tasksFor(q.id, next, fresh)
        .map((d) => d.key)
        .sort(),
    );

    // At 00:00 Shanghai (16:00 UTC), again: nothing changes.
    const again = await run(`${day}T16:00:00.000Z`);
    expect(again.body.data).toMatchObject({ status: "done", detail: "0 users" });
    expect({ p: await rowsOf(p.id, next), q: await rowsOf(q.id, next) }).toEqual(snapshot);

    // The next morning the user sees the job's rows, and the visit completes login_daily.
    setClock(morningOf(next));
    const view = await today(p.token);
    expect(view.body.data.day).toBe(next);
    expect(view.body.data.tasks.map((x: { task_key: string }) => x.task_key).sort()).toEqual(
      keysFor(p.id, next),
    );
    expect(byKey(view.body, "login_daily")).toMatchObject({ status: "completed" });
    const rows = await rowsOf(p.id, next);
    expect(rows.every((r) => r.assigned_by === "job")).toBe(true);
    expect(rows.find((r) => r.task_key === "login_daily")?.completed).toBe(true);
  });

  it("the day's rows stay the job's even when the catalogue changed since", async () => {
    const day = shanghaiDate(t.clock.now());
    const u = await newUser(t);
    const next = dayAfter(day);
    await run(`${day}T16:00:00.000Z`);
    const assigned = await rowsOf(u.id, next);
    const create = assigned.find((r) => r.category === "create")?.task_key as string;
    // The job's pick is switched off (and the in-process catalogue refreshed) before the user's visit.
    await t.ctx.db.execute(sql`update task_definitions set active = false where key = ${create}`);
    try {
      await primeDefinitions(t.ctx.db);
      setClock(morningOf(next));
      const view = await today(u.token);
      expect(view.body.data.tasks.map((x: { task_key: string }) => x.task_key).sort()).toEqual(
        assigned.map((r) => r.task_key),
      );
      expect((await rowsOf(u.id, next)).filter((r) => r.category === "create")).toHaveLength(1);
    } finally {
      await t.ctx.db.execute(sql`update task_definitions set active = true where key = ${create}`);
      await primeDefinitions(t.ctx.db);
    }
  });
});
