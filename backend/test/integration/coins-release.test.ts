import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile, reverseLot } from "../../src/ledger/index.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { insertWork } from "../helpers/community.js";

const DAY_MS = 24 * 3600_000;
let t: TestApp;
// 2026-12-01 10:00 Shanghai.
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-12-01T02:00:00Z") });
});
afterAll(() => t.close());

let seq = 0;
const key = () => `release-${++seq}-${Date.now()}`;

async function userWith(credits: number) {
  const u = await login(t);
  if (credits) await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: u.user.user_id, credits } });
  return { token: u.access_token, id: u.user.user_id as string };
}

async function tip(token: string, workId: string, amount = 100) {
  const res = await call(t, "POST", `/api/v1/works/${workId}/tip_and_favorite`, {
    token,
    body: { amount_credits: amount },
    headers: { "idempotency-key": key() },
  });
  expect(res.status).toBe(200);
}

const coins = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.coins;
const runRelease = (at: Date) =>
  call(t, "POST", "/api/v1/dev/jobs/coins.release/run", { body: { at: at.toISOString() } });

describe("coins.release (SPEC §5)", () => {
  it("a tip of 100 is 4.50 pending; 7 days + 1 h later the job makes it available once and the entry reads settled", async () => {
    const creator = await userWith(0);
    const fan = await userWith(500);
    const work = await insertWork(t, creator.id, { title: "海边日落" });
    await tip(fan.token, work.id);
    expect(await coins(creator.token)).toMatchObject({ available: "0.000", pending: "4.500" });
    const [lot] = (await coins(creator.token)).pending_details;

    // The lot's own release job waits in the outbox for its unlock time.
    const [job] = await queryRows<{ run_at: Date | string }>(
      t.ctx.db,
      sql`select run_at from outbox where id = ${`lot:${lot.lot_id}:release`} and job_name = 'coins.release_lot'`,
    );
    expect(new Date(job?.run_at ?? 0).toISOString()).toBe(lot.unlock_at);

    const early = await runRelease(new Date(t.clock.now().getTime() + 7 * DAY_MS - 60_000));
    expect(early.status).toBe(200);
    expect((await coins(creator.token)).available).toBe("0.000");

    const later = new Date(t.clock.now().getTime() + 7 * DAY_MS + 3600_000);
    expect((await runRelease(later)).body.data.status).toBe("done");
    expect(await coins(creator.token)).toMatchObject({
      available: "4.500",
      pending: "0.000",
      pending_details: [],
    });
    await runRelease(later);
    await runRelease(new Date(later.getTime() + 3600_000));
    expect((await coins(creator.token)).available).toBe("4.500");

    const ledger = (await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token: creator.token })).body
      .data.items;
    expect(
      ledger.map((e: { type: string; status: string; wallet: string }) => [e.type, e.wallet, e.status]),
    ).toEqual([
      ["coin_release", "coins_available", "settled"],
      ["coin_release", "coins_pending", "settled"],
      ["creator_tip_income", "coins_pending", "settled"],
    ]);
    const releases = await queryRows<{ business_key: string }>(
      t.ctx.db,
      sql`select business_key from ledger_transactions where type = 'coin_release' and ref_id = ${lot.lot_id}`,
    );
    expect(releases).toEqual([{ business_key: `lot:${lot.lot_id}:release` }]);

    const notes = (await call(t, "GET", "/api/v1/notifications", { token: creator.token })).body.data.items;
    expect(notes.map((n: { kind: string }) => n.kind)).toEqual(["coins_released", "tip_received"]);
    expect(notes[0].body).toBe("今日已有 4.50 金币解冻，可提现");
    expect(notes[1]).toMatchObject({
      actor: { user_id: fan.id },
      read: false,
      ref_type: "work",
      ref_id: work.id,
    });
    expect(notes[1].body).toContain("海边日落");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("the per-lot job releases a lot at its unlock time; a reversed lot is never released", async () => {
    const creator = await userWith(0);
    const fan = await userWith(500);
    const work = await insertWork(t, creator.id);
    await tip(fan.token, work.id, 50);
    await tip(fan.token, work.id, 20);
    const lots = (await coins(creator.token)).pending_details as { lot_id: string; amount: string }[];
    const reversed = lots.find((l) => l.amount === "0.900");
    const kept = lots.find((l) => l.amount === "2.250");
    if (!reversed || !kept) throw new Error(`lots: ${JSON.stringify(lots)}`);
    await t.ctx.db.transaction((tx) => reverseLot(tx, reversed.lot_id, t.clock.now()));

    // The lot's own job, through the outbox at its unlock time (the app clock moved past it).
    const at = new Date(t.clock.now().getTime() + 7 * DAY_MS + 1000).toISOString();
    await t.ctx.db.execute(
      sql`update outbox set run_at = now() where id in (${`lot:${kept.lot_id}:release`}, ${`lot:${reversed.lot_id}:release`})`,
    );
    const jump = new Date(at).getTime() - t.clock.now().getTime();
    t.clock.advance(jump);
    try {
      t.ctx.jobs.kick();
      await t.ctx.jobs.idle();
    } finally {
      t.clock.advance(-jump);
    }
    const done = await queryRows<{ id: string; last_error: string | null; completed: boolean }>(
      t.ctx.db,
      sql`select id, last_error, completed_at is not null as completed from outbox
          where id in (${`lot:${kept.lot_id}:release`}, ${`lot:${reversed.lot_id}:release`})`,
    );
    expect(done.every((d) => d.completed && d.last_error === null)).toBe(true);
    const { releaseOne } = await import("../../src/modules/coins/release.js");
    expect((await releaseOne(t.ctx, kept.lot_id, new Date(at))).status).toBe("already");
    expect((await releaseOne(t.ctx, reversed.lot_id, new Date(at))).status).toBe("blocked");
    await runRelease(new Date(at));
    expect(await coins(creator.token)).toMatchObject({ available: "2.250", pending: "0.000" });
    const ledger = (await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token: creator.token })).body
      .data.items;
    const statuses = ledger
      .filter((e: { type: string }) => e.type === "creator_tip_income")
      .map((e: { amount: string; status: string }) => [e.amount, e.status]);
    expect(statuses).toEqual(
      expect.arrayContaining([
        ["2.250", "settled"],
        ["0.900", "reversed"],
      ]),
    );
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});

describe("the hourly sweep is the safety net", () => {
  it("releases a lot whose own job was lost, even after a run with the clock pinned ahead", async () => {
    const creator = await userWith(0);
    const fan = await userWith(500);
    const work = await insertWork(t, creator.id);
    // A pinned run far ahead first (what the dev route does): it must not move the watermark past lots made later.
    await runRelease(new Date(t.clock.now().getTime() + 30 * DAY_MS));
    await tip(fan.token, work.id, 20);
    const [lot] = (await coins(creator.token)).pending_details;
    await t.ctx.db.execute(sql`delete from outbox where id = ${`lot:${lot.lot_id}:release`}`);
    const res = await runRelease(new Date(t.clock.now().getTime() + 7 * DAY_MS + 3600_000));
    expect(JSON.parse(res.body.data.detail)).toMatchObject({ released: 1, failed: 0 });
    expect(await coins(creator.token)).toMatchObject({ available: "0.900", pending: "0.000" });
  });
});

describe("我的收益 (GET /creator/earnings)", () => {
  it("daily income by source, this period against the previous one, pending and available", async () => {
    const creator = await userWith(0);
    const fan = await userWith(1000);
    const work = await insertWork(t, creator.id);
    await tip(fan.token, work.id, 100);
    await tip(fan.token, work.id, 10);
    const res = await call(t, "GET", "/api/v1/creator/earnings?days=7", { token: creator.token });
    expect(res.status).toBe(200);
    const e = res.body.data;
    expect(e.series).toHaveLength(7);
    expect(e.series.at(-1)).toMatchObject({
      day: "2026-12-01",
      tip: "4.950",
      total: "4.950",
      prompt: "0.000",
    });
    expect(e).toMatchObject({
      days: 7,
      current_total: "4.950",
      previous_total: "0.000",
      change_bp: null,
      coins_pending: "4.950",
      coins_available: "0.000",
      by_source: { tip: "4.950", remix: "0.000" },
    });
    expect(
      (await call(t, "GET", "/api/v1/creator/earnings?days=30", { token: creator.token })).body.data.series,
    ).toHaveLength(30);
    expect((await call(t, "GET", "/api/v1/creator/earnings?days=9", { token: creator.token })).status).toBe(
      422,
    );
  });
});

describe("notifications (SPEC §9)", () => {
  it("unread count, mark read (own only), English rendering", async () => {
    const a = await userWith(0);
    const b = await userWith(0);
    await call(t, "POST", `/api/v1/users/${a.id}/follow`, { token: b.token });
    await call(t, "DELETE", `/api/v1/users/${a.id}/follow`, { token: b.token });
    await call(t, "POST", `/api/v1/users/${a.id}/follow`, { token: b.token });
    const unread = await call(t, "GET", "/api/v1/notifications/unread_count", { token: a.token });
    expect(unread.body.data).toEqual({ unread: 1 });
    const [n] = (
      await call(t, "GET", "/api/v1/notifications", { token: a.token, headers: { "accept-language": "en" } })
    ).body.data.items;
    expect(n).toMatchObject({ kind: "new_follower", title: "New follower", actor: { user_id: b.id } });
    // B cannot mark A's notification read.
    await call(t, "POST", "/api/v1/notifications/read", {
      token: b.token,
      body: { ids: [n.notification_id] },
    });
    expect(
      (await call(t, "GET", "/api/v1/notifications/unread_count", { token: a.token })).body.data.unread,
    ).toBe(1);
    const read = await call(t, "POST", "/api/v1/notifications/read", { token: a.token, body: {} });
    expect(read.body.data).toEqual({ unread: 0 });
    const bs = (await call(t, "GET", "/api/v1/notifications", { token: b.token })).body.data.items;
    expect(bs.map((x: { notification_id: string }) => x.notification_id)).not.toContain(n.notification_id);
    expect(bs.every((x: { kind: string }) => x.kind === "daily_task_completed")).toBe(true);
  });
});
