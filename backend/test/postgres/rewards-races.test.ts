import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows } from "../../src/db/client.js";
import { releaseMatured } from "../../src/modules/coins/release.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { grantAvailableCoins } from "../helpers/coins.js";
import { insertWork } from "../helpers/community.js";
import { ledgerCheck } from "../helpers/ledger.js";

// Real PostgreSQL only: withdrawals and lot releases that really race.
const DAY_MS = 24 * 3600_000;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-12-01T02:00:00Z") });
});
afterAll(async () => t?.close());

let seq = 0;
const key = () => `race-${++seq}-${Date.now()}`;

describe("withdrawals and coin releases under concurrency (real PostgreSQL)", () => {
  it("10 concurrent ¥100 withdrawals against 150 available coins: exactly one succeeds", async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const u = await login(t);
    await grantAvailableCoins(t, u.user.user_id, 150);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(t, "POST", "/api/v1/withdrawals/create", {
          token: u.access_token,
          body: {
            amount_cny: "100.00",
            method: "alipay",
            account_info: { name: "张三", account: "13800001234" },
          },
          headers: { "idempotency-key": key() },
        }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      // Insufficient coins, or the daily count once three had been tried — never a second debit.
      expect([2005, 2006]).toContain(a.body.code);
    }
    const wallets = (await call(t, "GET", "/api/v1/me/wallets", { token: u.access_token })).body.data;
    expect(wallets.coins.available).toBe("50.000");
    const [count] = await queryRows<{ n: string }>(
      t.ctx.db,
      sql`select count(*)::text as n from withdrawals where user_id = ${u.user.user_id}`,
    );
    expect(count?.n).toBe("1");
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });

  it("8 concurrent withdrawals with enough coins: the 3-a-day limit still holds (exactly 3)", async () => {
    const u = await login(t);
    await grantAvailableCoins(t, u.user.user_id, 1000);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(t, "POST", "/api/v1/withdrawals/create", {
          token: u.access_token,
          body: {
            amount_cny: "100.00",
            method: "alipay",
            account_info: { name: "张三", account: "13800001234" },
          },
          headers: { "idempotency-key": key() },
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.body.code === 2006)).toHaveLength(5);
    const wallets = (await call(t, "GET", "/api/v1/me/wallets", { token: u.access_token })).body.data;
    expect(wallets.coins.available).toBe("700.000");
  });

  it("two workers releasing the same matured lots at once move each lot exactly once", async () => {
    const creator = await login(t);
    const fan = await login(t);
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: fan.user.user_id, credits: 5000 } });
    const work = await insertWork(t, creator.user.user_id);
    const tips = 40;
    for (let i = 0; i < tips; i++) {
      const res = await call(t, "POST", `/api/v1/works/${work.id}/tip_and_favorite`, {
        token: fan.access_token,
        body: { amount_credits: 100 },
        headers: { "idempotency-key": key() },
      });
      expect(res.status).toBe(200);
    }
    const second = await openDatabase({ databaseUrl: t.databaseUrl, poolMax: 8, pgliteDir: "memory://" });
    try {
      const at = new Date(t.clock.now().getTime() + 7 * DAY_MS + 3600_000);
      const [one, two] = await Promise.all([
        releaseMatured({ db: t.ctx.db }, at, { batchSize: 7, concurrency: 4 }),
        releaseMatured({ db: second.db }, at, { batchSize: 7, concurrency: 4 }),
      ]);
      expect(one.failed + two.failed).toBe(0);
      expect(one.released + two.released).toBe(tips);
      const again = await releaseMatured({ db: t.ctx.db }, at);
      expect(again.released).toBe(0);
    } finally {
      await second.close();
    }
    const releases = await queryRows<{ n: string; lots: string }>(
      t.ctx.db,
      sql`select count(*)::text as n, count(distinct ref_id)::text as lots from ledger_transactions
          where type = 'coin_release' and ref_id in (
            select p.id from postings p where p.account_id like ${`user:${creator.user.user_id}:coins:pending%`})`,
    );
    expect(releases[0]).toEqual({ n: String(tips), lots: String(tips) });
    const wallets = (await call(t, "GET", "/api/v1/me/wallets", { token: creator.access_token })).body.data;
    expect(wallets.coins).toMatchObject({ available: "180.000", pending: "0.000" });
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });
});
