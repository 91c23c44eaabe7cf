import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { accountsOf, balancesOf, pendingShardsOf, reconcile } from "../../src/ledger/index.js";
import { failTask } from "../../src/modules/generation/service.js";
import { type Api, call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { insertWork } from "../helpers/community.js";
import { ledgerCheck } from "../helpers/ledger.js";

// Real PostgreSQL only: tips that really run at the same time.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function userWith(credits: number) {
  const user = await login(t);
  if (credits > 0) {
    const res = await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
    expect(res.status).toBe(200);
  }
  return { token: user.access_token, id: user.user.user_id };
}

const makeWork = async (creatorId: string) => (await insertWork(t, creatorId, { prompt: "p" })).id;

const tip = (token: string, workId: string, amount: number, key?: string) =>
  call(t, "POST", `/api/v1/works/${workId}/tip_and_favorite`, {
    token,
    body: { amount_credits: amount },
    headers: key ? { "idempotency-key": key } : {},
  });
const one = async <T>(q: ReturnType<typeof sql>) => (await queryRows<T>(t.ctx.db, q))[0] as T;
const pendingOf = async (userId: string) => {
  const ids = pendingShardsOf(userId).map((a) => a.id);
  return [...(await balancesOf(t.ctx.db, ids)).values()].reduce((s, v) => s + v, 0n);
};
const incomeCount = async (creatorId: string) =>
  (
    await one<{ n: number }>(
      sql`select count(*)::int as n from postings p join accounts a on a.id = p.account_id
          where a.owner_user_id = ${creatorId} and p.entry_type = 'creator_tip_income'`,
    )
  ).n;

describe("concurrent tips (real PostgreSQL)", () => {
  it("50 concurrent tips from one payer whose balance covers 30: exactly 30 tips, 30 incomes, clean ledger:check", async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const creator = await userWith(0);
    const payer = await userWith(300);
    const work = await makeWork(creator.id);
    const results: Api[] = await Promise.all(Array.from({ length: 50 }, () => tip(payer.token, work, 10)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(30);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(20);
    expect(refused.every((r) => r.status === 402 && r.body.code === 2001)).toBe(true);

    const tips = await one<{ n: number }>(sql`select count(*)::int as n from tips where work_id = ${work}`);
    expect(tips.n).toBe(30);
    expect(await incomeCount(creator.id)).toBe(30);
    expect(await pendingOf(creator.id)).toBe(30n * 450n);
    const credits = await balancesOf(t.ctx.db, [accountsOf(payer.id).credits.id]);
    expect(credits.get(accountsOf(payer.id).credits.id)).toBe(0n);
    const stats = await one<{ tip_count: number; favorite_count: number; tip_credits: string }>(
      sql`select tip_count, favorite_count, tip_credits::text as tip_credits from work_stats where work_id = ${work}`,
    );
    expect(stats).toEqual({ tip_count: 30, favorite_count: 1, tip_credits: "300" });
    const us = await one<{ total: string }>(
      sql`select total_tipped_credits::text as total from user_stats where user_id = ${creator.id}`,
    );
    expect(us.total).toBe("300");
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });

  it("a replayed Idempotency-Key (10 at once, then again) charges once", async () => {
    const creator = await userWith(0);
    const payer = await userWith(100);
    const work = await makeWork(creator.id);
    const key = `tip-replay-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => tip(payer.token, work, 20, key)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const r of results) expect(r.body).toEqual(results[0]?.body);
    expect((await tip(payer.token, work, 20, key)).body).toEqual(results[0]?.body);
    const credits = await balancesOf(t.ctx.db, [accountsOf(payer.id).credits.id]);
    expect(credits.get(accountsOf(payer.id).credits.id)).toBe(80n);
    expect(await incomeCount(creator.id)).toBe(1);
    expect(await pendingOf(creator.id)).toBe(900n);
  });

  it("200 payers tipping one creator at once all succeed (no deadlock) and sum exactly over the pending shards", async () => {
    const creator = await userWith(0);
    const work = await makeWork(creator.id);
    const payers: { token: string; id: string }[] = [];
    for (let i = 0; i < 200; i += 20) {
      payers.push(...(await Promise.all(Array.from({ length: 20 }, () => userWith(10)))));
    }
    const results = await Promise.all(payers.map((p) => tip(p.token, work, 10)));
    const failures = results.filter((r) => r.status !== 200);
    expect(failures.map((r) => r.body)).toEqual([]);
    expect(await pendingOf(creator.id)).toBe(200n * 450n);
    expect(await incomeCount(creator.id)).toBe(200);
    // Spread over the shards: no single pending row took every tip.
    const used = await one<{ n: number }>(
      sql`select count(distinct p.account_id)::int as n from postings p join accounts a on a.id = p.account_id
          where a.owner_user_id = ${creator.id} and p.entry_type = 'creator_tip_income'`,
    );
    expect(used.n).toBeGreaterThan(8);
    const stats = await one<{ tip_count: number; favorite_count: number }>(
      sql`select tip_count, favorite_count from work_stats where work_id = ${work}`,
    );
    expect(stats).toEqual({ tip_count: 200, favorite_count: 200 });
    const us = await one<{ total: string }>(
      sql`select total_tipped_credits::text as total from user_stats where user_id = ${creator.id}`,
    );
    expect(us.total).toBe("2000");
    const wallet = await call(t, "GET", "/api/v1/me/wallets", { token: creator.token });
    expect(wallet.body.data.coins.pending).toBe("90.000");
    expect(wallet.body.data.coins.pending_details).toHaveLength(50);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("a failed remix settled by 8 racing failures refunds cost + fee once and reverses the creator's lot once", async () => {
    for (let round = 0; round < 5; round++) {
      const creator = await userWith(0);
      const remixer = await userWith(12);
      const work = await makeWork(creator.id);
      const res = await call(t, "POST", `/api/v1/works/${work}/remix`, {
        token: remixer.token,
        body: { prompt_delta: "#fail", duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await pendingOf(creator.id)).toBe(90n);
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => failTask(t.ctx, res.body.data.task_id, "并发失败")),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const credits = await balancesOf(t.ctx.db, [accountsOf(remixer.id).credits.id]);
      expect(credits.get(accountsOf(remixer.id).credits.id)).toBe(12n);
      expect(await pendingOf(creator.id)).toBe(0n);
      const ends = await one<{ n: number }>(
        sql`select count(*)::int as n from ledger_transactions e join postings p on p.id = e.ref_id
            join accounts a on a.id = p.account_id where e.ref_type = 'lot' and a.owner_user_id = ${creator.id}`,
      );
      expect(ends.n).toBe(1);
    }
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });
});
