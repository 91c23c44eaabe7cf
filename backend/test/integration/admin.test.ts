import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { DAY_MS, shanghaiDate } from "../../src/lib/time.js";
import {
  type DashboardDayRow,
  dashboardDays,
  dashboardDaysQuery,
} from "../../src/modules/admin/repository.js";
import { refreshFeedSnapshots } from "../../src/modules/feed/service.js";
import { call, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { newUser, publishNew, type TestUser } from "../helpers/community.js";

// 2026-12-01 10:00 Shanghai.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    start: new Date("2026-12-01T02:00:00Z"),
    env: { ADMIN_ADJUST_DAILY_CREDITS: "1000" },
  });
});
afterAll(() => t.close());

let seq = 0;
const key = () => `admin-test-${++seq}-${Date.now()}`;

async function withRoles(roles: string[]): Promise<TestUser> {
  const u = await newUser(t);
  const res = await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: u.id, roles } });
  expect(res.status).toBe(200);
  return u;
}

const auditOf = async (targetId: string) =>
  queryRows<{ action: string; actor_id: string; reason: string | null; request_id: string | null }>(
    t.ctx.db,
    sql`select action, actor_id, reason, request_id from audit_log where target_id = ${targetId} order by created_at`,
  );

describe("every admin route refuses a user without the role", () => {
  it("enumerates /api/v1/admin/* from the OpenAPI document: 403/2002 for a plain user, before any validation", async () => {
    const plain = await newUser(t);
    const doc = (await call(t, "GET", "/openapi.json")).body as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/api/v1/admin/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => [method.toUpperCase(), path] as const));
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const [method, path] of routes) {
      const url = path.replace(/\{[^}]+\}/g, "01J0000000000000000000000");
      const res = await call(t, method as "GET", url, {
        token: plain.token,
        body: method === "GET" ? undefined : {},
        headers: { "idempotency-key": key() },
      });
      expect([res.status, res.body?.code], `${method} ${path}`).toEqual([403, 2002]);
    }
  });

  it("a moderator cannot adjust money and a finance user cannot ban", async () => {
    const target = await newUser(t);
    const moderator = await withRoles(["moderator"]);
    const financeUser = await withRoles(["finance"]);
    const adjust = await call(t, "POST", `/api/v1/admin/users/${target.id}/adjust`, {
      token: moderator.token,
      headers: { "idempotency-key": key() },
      body: { asset: "credits", amount: "10", reason: "测试" },
    });
    expect([adjust.status, adjust.body.code]).toEqual([403, 2002]);
    const ban = await call(t, "POST", `/api/v1/admin/users/${target.id}/ban`, {
      token: financeUser.token,
      body: { reason: "测试封禁" },
    });
    expect([ban.status, ban.body.code]).toEqual([403, 2002]);
    expect((await call(t, "GET", "/api/v1/admin/me", { token: moderator.token })).body.data.roles).toEqual([
      "moderator",
    ]);
  });
});

describe("users", () => {
  it("search by phone tail, nickname or id; a ban ends the user's sessions at once (403/1004) and is audited", async () => {
    const admin = await withRoles(["admin"]);
    const target = await newUser(t);
    const detail = await call(t, "GET", `/api/v1/admin/users/${target.id}`, { token: admin.token });
    const phone = detail.body.data.phone as string;
    const byPhone = await call(t, "GET", `/api/v1/admin/users?q=${phone.slice(-8)}`, { token: admin.token });
    expect(byPhone.body.data.items.map((u: { user_id: string }) => u.user_id)).toContain(target.id);
    const byId = await call(t, "GET", `/api/v1/admin/users?q=${target.id}`, { token: admin.token });
    expect(byId.body.data.items).toHaveLength(1);

    expect((await call(t, "GET", "/api/v1/me", { token: target.token })).status).toBe(200);
    const banned = await call(t, "POST", `/api/v1/admin/users/${target.id}/ban`, {
      token: admin.token,
      body: { reason: "发布违规内容" },
      headers: { "x-request-id": "req-ban-1" },
    });
    expect(banned.body.data).toMatchObject({ status: "banned", ban_reason: "发布违规内容" });
    const next = await call(t, "GET", "/api/v1/me", { token: target.token });
    expect([next.status, next.body.code]).toEqual([403, 1004]);
    expect(await auditOf(target.id)).toEqual([
      { action: "user.ban", actor_id: admin.id, reason: "发布违规内容", request_id: "req-ban-1" },
    ]);
    const again = await call(t, "POST", `/api/v1/admin/users/${target.id}/ban`, {
      token: admin.token,
      body: { reason: "再封一次" },
    });
    expect([again.status, again.body.code]).toEqual([409, 2007]);
    const lifted = await call(t, "POST", `/api/v1/admin/users/${target.id}/unban`, {
      token: admin.token,
      body: { reason: "申诉通过" },
    });
    expect(lifted.body.data.status).toBe("active");
  });

  it("adjusts credits with a reason through the ledger (admin_adjust), within the admin's daily limit", async () => {
    const financeUser = await withRoles(["finance"]);
    const target = await newUser(t);
    const adjust = (amount: string, reason = "补偿生成失败") =>
      call(t, "POST", `/api/v1/admin/users/${target.id}/adjust`, {
        token: financeUser.token,
        headers: { "idempotency-key": key() },
        body: { asset: "credits", amount, reason },
      });
    const granted = await adjust("300");
    expect(granted.body.data.balance_after).toBe(300);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: target.token });
    expect(ledger.body.data.items[0]).toMatchObject({
      type: "admin_adjust",
      amount: 300,
      balance_after: 300,
    });
    const taken = await adjust("-100", "误发回收");
    expect(taken.body.data.balance_after).toBe(200);
    const overdraw = await adjust("-500", "回收过多");
    expect([overdraw.status, overdraw.body.code]).toEqual([402, 2001]);
    const overLimit = await adjust("601", "超出额度");
    expect([overLimit.status, overLimit.body.code]).toEqual([403, 2002]);
    const noReason = await call(t, "POST", `/api/v1/admin/users/${target.id}/adjust`, {
      token: financeUser.token,
      headers: { "idempotency-key": key() },
      body: { asset: "credits", amount: "5" },
    });
    expect(noReason.status).toBe(422);
    const audit = await auditOf(target.id);
    expect(audit.map((a) => [a.action, a.reason])).toEqual([
      ["user.adjust", "补偿生成失败"],
      ["user.adjust", "误发回收"],
    ]);
    const detail = await call(t, "GET", `/api/v1/admin/users/${target.id}`, { token: financeUser.token });
    expect(detail.body.data).toMatchObject({ credits: 200, adjust_limits: { credits: 600 } });
    const log = await call(t, "GET", `/api/v1/admin/audit?target_id=${target.id}`, {
      token: financeUser.token,
    });
    expect(log.body.data.items.map((e: { action: string }) => e.action)).toEqual([
      "user.adjust",
      "user.adjust",
    ]);
  });
});

describe("moderation", () => {
  it("a taken-down work leaves the discover feed at once and its creator is told; restore brings it back", async () => {
    const moderator = await withRoles(["moderator"]);
    const creator = await newUser(t);
    const work = await publishNew(t, creator);
    await refreshFeedSnapshots(t.ctx);
    const inFeed = async () =>
      (await call(t, "GET", "/api/v1/feed?tab=discover&limit=50")).body.data.items.map(
        (w: { work_id: string }) => w.work_id,
      );
    expect(await inFeed()).toContain(work.work_id);
    const down = await call(t, "POST", `/api/v1/admin/works/${work.work_id}/take_down`, {
      token: moderator.token,
      body: { reason: "含有违规画面" },
    });
    expect(down.body.data).toMatchObject({ status: "taken_down", takedown_reason: "含有违规画面" });
    expect(await inFeed()).not.toContain(work.work_id);
    const told = await call(t, "GET", "/api/v1/notifications", { token: creator.token });
    expect(told.body.data.items[0]).toMatchObject({ kind: "work_taken_down", ref_id: work.work_id });
    const restored = await call(t, "POST", `/api/v1/admin/works/${work.work_id}/restore`, {
      token: moderator.token,
      body: { reason: "复核无问题" },
    });
    expect(restored.body.data.status).toBe("published");
    expect(await inFeed()).toContain(work.work_id);
    expect((await auditOf(work.work_id)).map((a) => a.action)).toEqual(["work.take_down", "work.restore"]);
  });

  it("a word added to the list is refused in the next title", async () => {
    const moderator = await withRoles(["moderator"]);
    const current = await call(t, "GET", "/api/v1/admin/sensitive_words", { token: moderator.token });
    expect(current.body).toMatchObject({ code: 0 });
    const words = [...current.body.data.words, "违禁测试词"];
    const saved = await call(t, "PUT", "/api/v1/admin/sensitive_words", {
      token: moderator.token,
      body: { words },
    });
    expect(saved.body).toMatchObject({ code: 0 });
    expect(saved.body.data.words).toContain("违禁测试词");
    const creator = await newUser(t);
    await expect(publishNew(t, creator, { title: "这是违禁测试词标题" })).rejects.toThrow(/4220/);
  });
});

describe("roles", () => {
  it("a development grant (/dev/roles) is audited too, under the actor 'dev'", async () => {
    const u = await withRoles(["moderator"]);
    expect(await auditOf(u.id)).toEqual([
      expect.objectContaining({ action: "user.roles", actor_id: "dev", request_id: expect.any(String) }),
    ]);
  });
});

describe("dashboard, payments and reconciliation", () => {
  it("the dashboard counts today's new user, payment by channel and a refunded generation exactly", async () => {
    const admin = await withRoles(["admin"]);
    type Day = {
      day: string;
      new_users: number;
      generations: number;
      generations_failed: number;
      generations_refunded: number;
      generation_credits: number;
      gmv_cny: { wechat: string; alipay: string; sandbox: string };
    };
    const dashboard = async () => {
      const res = await call(t, "GET", "/api/v1/admin/dashboard?days=7", { token: admin.token });
      expect(res.status).toBe(200);
      const series = res.body.data.series as Day[];
      expect(series).toHaveLength(7);
      return { today: series.at(-1) as Day, totals: res.body.data.totals as { users: number } };
    };
    const before = await dashboard();
    expect(before.today.day).toBe("2026-12-01");

    const buyer = await newUser(t);
    const pay = await call(t, "POST", "/api/v1/payments/create", {
      token: buyer.token,
      headers: { "idempotency-key": key() },
      body: { product_id: "credits_120", pay_channel: "sandbox", client: "h5" },
    });
    await call(t, "POST", `/api/v1/dev/payments/${pay.body.data.payment_id}/complete`, {
      body: { result: "success" },
    });
    // A generation that times out: failed and refunded (the vendor never answers in time).
    const task = await call(t, "POST", "/api/v1/tasks/create", {
      token: buyer.token,
      headers: { "idempotency-key": key() },
      body: { prompt: "看板里的退款", duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
    });
    expect(task.status).toBe(200);
    t.clock.advance(3 * 60 * 60 * 1000);
    await runJob(t, "generation.timeout_sweep");
    const ended = await call(t, "GET", `/api/v1/tasks/${task.body.data.task_id}`, { token: buyer.token });
    expect(ended.body.data).toMatchObject({ status: "FAILURE", refunded: true });

    const after = await dashboard();
    expect(after.today.day).toBe("2026-12-01");
    expect(after.today.new_users - before.today.new_users).toBe(1);
    expect(after.totals.users - before.totals.users).toBe(1);
    expect(after.today.generations - before.today.generations).toBe(1);
    expect(after.today.generations_failed - before.today.generations_failed).toBe(1);
    expect(after.today.generations_refunded - before.today.generations_refunded).toBe(1);
    // Refunded credits are not spend.
    expect(after.today.generation_credits).toBe(before.today.generation_credits);
    const fen = (cny: string) => {
      const [yuan, cents = ""] = cny.split(".");
      return BigInt(yuan ?? "0") * 100n + BigInt(cents.padEnd(2, "0"));
    };
    expect(fen(after.today.gmv_cny.sandbox) - fen(before.today.gmv_cny.sandbox)).toBe(
      fen(pay.body.data.amount_cny),
    );
    expect(after.today.gmv_cny.wechat).toBe(before.today.gmv_cny.wechat);

    const listed = await call(t, "GET", `/api/v1/admin/payments?q=${buyer.id}`, { token: admin.token });
    expect(listed.body.data.items[0]).toMatchObject({ status: "paid", user_id: buyer.id });
    expect(listed.body.data.items[0].raw_callback).not.toBeNull();
    const requeried = await call(t, "POST", `/api/v1/admin/payments/${pay.body.data.payment_id}/requery`, {
      token: admin.token,
    });
    expect(requeried.body.data.status).toBe("paid");
  });

  it("runs the reconciliation now and keeps the report", async () => {
    const financeUser = await withRoles(["finance"]);
    const ran = await call(t, "POST", "/api/v1/admin/reconciliation/run", { token: financeUser.token });
    expect(ran.body.data).toMatchObject({ ok: true, account_mismatches: [], escrow_mismatches: [] });
    const latest = await call(t, "GET", "/api/v1/admin/reconciliation", { token: financeUser.token });
    expect(latest.body.data.ran_at).toBe(ran.body.data.ran_at);
  });
});

describe("dashboard rollup (admin_daily_stats)", () => {
  /** The Shanghai date `n` days before the test clock's day. */
  const daysAgo = (n: number) => shanghaiDate(new Date(t.clock.now().getTime() - n * DAY_MS));
  /** Noon Shanghai of a Shanghai date, as an ISO instant. */
  const noon = (day: string) => `${day}T04:00:00Z`;
  const stored = () =>
    queryRows<{ day: string; new_users: number; generations: number }>(
      t.ctx.db,
      sql`select to_char(day, 'YYYY-MM-DD') as day, new_users, generations from admin_daily_stats order by day`,
    );

  /** A user created at noon of `day`, with `n` generations, a paid order and a daily login that day. */
  async function activityOn(day: string, n: number) {
    const u = await newUser(t);
    const at = noon(day);
    await t.ctx.db.execute(sql`update users set created_at = ${at}::timestamptz where id = ${u.id}`);
    await t.ctx.db.execute(
      sql`insert into tasks (id, user_id, status, progress, prompt, duration_sec, ratio, model, vendor,
                             cost_credits, refunded, timeout_at, created_at, updated_at, finished_at)
          select 'rollup-' || ${u.id} || '-' || g, ${u.id}, case when g % 3 = 0 then 'FAILURE' else 'SUCCESS' end,
                 100, 'rollup', 10, '9:16', 'skyriff-sim', 'simulated', 10 * g, g % 3 = 0,
                 ${at}::timestamptz + interval '30 minutes', ${at}::timestamptz, ${at}::timestamptz,
                 ${at}::timestamptz + interval '1 minute'
          from generate_series(1, ${n}::int) g`,
    );
    await t.ctx.db.execute(
      sql`insert into payment_orders (id, out_trade_no, user_id, product_id, product_type, product_snapshot,
                                      amount_fen, channel, client, status, paid_at, expire_at, created_at, updated_at)
          values (${`rollup-${u.id}`}, ${`ROLLUP${u.id}`}, ${u.id}, 'credits_120', 'credits', '{}'::jsonb,
                  ${600 * n}, ${n % 2 === 0 ? "wechat" : "alipay"}, 'h5', 'paid', ${at}::timestamptz + interval '5 minutes',
                  ${at}::timestamptz + interval '15 minutes', ${at}::timestamptz, ${at}::timestamptz)`,
    );
    await t.ctx.db.execute(
      sql`insert into task_assignments (user_id, day, task_key, category, progress, target, reward_credits,
                                        completed_at, assigned_by)
          values (${u.id}, ${day}::date, 'login_daily', 'daily', 1, 1, 5, ${at}::timestamptz, 'test')
          on conflict do nothing`,
    );
  }

  const fresh = (fromDay: string, days: number) =>
    queryRows<DashboardDayRow>(t.ctx.db, dashboardDaysQuery(fromDay, days));

  it("stores each final day once and answers exactly as a fresh computation, today and yesterday live", async () => {
    await t.ctx.db.execute(sql`delete from admin_daily_stats`);
    const today = daysAgo(0);
    // Final days (before yesterday) inside and outside the 30-day range, the first final day, and the
    // two live days.
    for (const [ago, n] of [
      [40, 2],
      [20, 3],
      [5, 4],
      [2, 5],
      [1, 6],
      [0, 7],
    ] as const) {
      await activityOn(daysAgo(ago), n);
    }
    const from90 = daysAgo(89);
    const expected = await fresh(from90, 90);
    expect(expected.find((d) => d.day === daysAgo(40))).toMatchObject({
      new_users: 1,
      generations: 2,
      dau: 1,
    });

    // Cold: fills the 88 final days; warm: reads them back. Both exactly the fresh series.
    expect(await dashboardDays(t.ctx.db, from90, 90, today)).toEqual(expected);
    const rows = await stored();
    expect(rows).toHaveLength(88);
    expect(rows[0]?.day).toBe(from90);
    expect(rows.at(-1)?.day).toBe(daysAgo(2));
    expect(rows.find((r) => r.day === daysAgo(5))).toMatchObject({ new_users: 1, generations: 4 });
    expect(await dashboardDays(t.ctx.db, from90, 90, today)).toEqual(expected);
    // The shorter ranges read the same rows.
    expect(await dashboardDays(t.ctx.db, daysAgo(29), 30, today)).toEqual(expected.slice(60));
    expect(await dashboardDays(t.ctx.db, daysAgo(6), 7, today)).toEqual(expected.slice(83));

    // A gap (a day removed) is computed again, the stored neighbours kept.
    await t.ctx.db.execute(sql`delete from admin_daily_stats where day = ${daysAgo(20)}::date`);
    expect(await dashboardDays(t.ctx.db, from90, 90, today)).toEqual(expected);
    expect(await stored()).toHaveLength(88);

    // Today and yesterday are never stored: their new rows show up at once.
    await activityOn(daysAgo(1), 1);
    await newUser(t);
    const after = await dashboardDays(t.ctx.db, daysAgo(6), 7, today);
    const [yesterdayBefore, todayBefore] = expected.slice(-2) as [DashboardDayRow, DashboardDayRow];
    expect(after.at(-2)).toMatchObject({
      day: daysAgo(1),
      new_users: yesterdayBefore.new_users + 1,
      dau: yesterdayBefore.dau + 1,
      generations: yesterdayBefore.generations + 1,
    });
    expect(after.at(-1)).toMatchObject({
      day: today,
      new_users: todayBefore.new_users + 1,
      generations: todayBefore.generations,
    });
    expect(after.slice(0, 5)).toEqual(expected.slice(83, 88));
    expect((await stored()).map((r) => r.day)).not.toContain(daysAgo(1));
  });

  it("the route reads a stored final day instead of aggregating it again", async () => {
    const admin = await withRoles(["admin"]);
    const route = async () => {
      const res = await call(t, "GET", "/api/v1/admin/dashboard?days=7", { token: admin.token });
      expect(res.status).toBe(200);
      return res.body.data.series as { day: string; new_users: number; generations: number }[];
    };
    const before = await route();
    const day = daysAgo(5);
    expect(before.find((d) => d.day === day)).toMatchObject({ new_users: 1, generations: 4 });
    await t.ctx.db.execute(
      sql`update admin_daily_stats set new_users = new_users + 1000, generations = 42 where day = ${day}::date`,
    );
    const after = await route();
    expect(after.find((d) => d.day === day)).toMatchObject({ new_users: 1001, generations: 42 });
    expect(after.slice(-2)).toEqual(before.slice(-2));
    await t.ctx.db.execute(
      sql`update admin_daily_stats set new_users = new_users - 1000, generations = 4 where day = ${day}::date`,
    );
  });

  it("the nightly job stores every final day of the last 90, so the first look of the day reads them", async () => {
    await t.ctx.db.execute(sql`delete from admin_daily_stats`);
    await runJob(t, "admin.daily_stats");
    const rows = await stored();
    expect(rows).toHaveLength(88);
    expect(rows.at(-1)?.day).toBe(daysAgo(2));
  });
});
