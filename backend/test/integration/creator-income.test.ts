import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import type { works } from "../../src/db/schema/index.js";
import {
  accountsOf,
  balancesOf,
  findLot,
  pendingShard,
  pendingShardsOf,
  platform,
  reconcile,
  releaseLot,
  reverseLot,
} from "../../src/ledger/index.js";
import { newId } from "../../src/lib/ids.js";
import { failTask } from "../../src/modules/generation/service.js";
import { createSimulatedVendor } from "../../src/vendors/simulated.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { type Api, call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { insertWork } from "../helpers/community.js";

const SIM_SECONDS = 20;
const DAY_MS = 24 * 3600_000;
let t: TestApp;
beforeAll(async () => {
  const holder: { t?: TestApp } = {};
  const vendors = new Map<VendorName, VideoVendor>([
    [
      "simulated",
      createSimulatedVendor({
        workDir: `${process.env.TMPDIR ?? "/tmp"}/skyriff-sim-income-${process.pid}`,
        totalSeconds: SIM_SECONDS,
        now: () => (holder.t ? holder.t.clock.now().getTime() : Date.now()),
      }),
    ],
  ]);
  t = await startTestApp({ server: { vendors } });
  holder.t = t;
});
afterAll(async () => t?.close());

let keyN = 0;
const key = (p: string) => `${p}-${Date.now()}-${++keyN}`;

async function userWith(credits: number) {
  const user = await login(t);
  if (credits > 0) {
    const res = await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
    expect(res.status).toBe(200);
  }
  return { token: user.access_token, id: user.user.user_id, phone: user.phone };
}

/** A fresh token after the clock jumped past the access token's 7 days. */
const relogin = async (u: { phone: string }) => (await login(t, u.phone)).access_token;

/** A published work (rows inserted directly: publishing has its own tests). */
const makeWork = (creatorId: string, opts: Partial<typeof works.$inferInsert> = {}) =>
  insertWork(t, creatorId, opts);

const wallets = async (token: string) => (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data;
const balance = async (token: string) => (await wallets(token)).credits.balance as number;
const tip = (token: string, workId: string, amount: number, idem?: string) =>
  call(t, "POST", `/api/v1/works/${workId}/tip_and_favorite`, {
    token,
    body: { amount_credits: amount },
    headers: idem ? { "idempotency-key": idem } : {},
  });
const unlock = (token: string, workId: string, idem?: string) =>
  call(t, "POST", `/api/v1/works/${workId}/prompt/unlock`, {
    token,
    headers: idem ? { "idempotency-key": idem } : {},
  });
const viewPrompt = (workId: string, token?: string) =>
  call(t, "GET", `/api/v1/works/${workId}/prompt`, token ? { token } : {});
const remix = (token: string, workId: string, body: Record<string, unknown> = {}, idem?: string) =>
  call(t, "POST", `/api/v1/works/${workId}/remix`, {
    token,
    body: { duration_sec: 10, ratio: "9:16", model: "skyriff-sim", ...body },
    headers: idem ? { "idempotency-key": idem } : {},
  });
const getTask = (token: string, id: string) => call(t, "GET", `/api/v1/tasks/${id}`, { token });

const one = async <T>(q: ReturnType<typeof sql>) => (await queryRows<T>(t.ctx.db, q))[0] as T;
const creditsOf = async (userId: string) =>
  (await balancesOf(t.ctx.db, [accountsOf(userId).credits.id])).get(accountsOf(userId).credits.id) ?? 0n;
const postingCount = async () => (await one<{ n: number }>(sql`select count(*)::int as n from postings`)).n;
const pendingTotal = async (userId: string) => {
  const b = await balancesOf(
    t.ctx.db,
    pendingShardsOf(userId).map((a) => a.id),
  );
  return [...b.values()].reduce((s, v) => s + v, 0n);
};

async function runToEnd(token: string, taskId: string): Promise<Api> {
  await t.ctx.jobs.idle();
  for (let i = 0; i < 12; i++) {
    t.clock.advance((SIM_SECONDS * 1000) / 8);
    await runJob(t, "generation.poll_sweep");
    const now = await getTask(token, taskId);
    if (now.body.data.status === "SUCCESS" || now.body.data.status === "FAILURE") {
      await t.ctx.jobs.idle();
      return getTask(token, taskId);
    }
  }
  throw new Error("task did not finish");
}

describe("tip_and_favorite", () => {
  it("tip 10: payer −10, creator 0.450 pending 7 days (a lot with its payer), platform 0.050, favorite and counters", async () => {
    const creator = await userWith(0);
    const payer = await userWith(100);
    const work = await makeWork(creator.id);
    const before = t.clock.now();

    const res = await tip(payer.token, work.id, 10);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      amount_credits: 10,
      balance_after: 90,
      creator_income: "0.450",
      is_favorited: true,
      tip_count: 1,
      favorite_count: 1,
    });
    expect(await balance(payer.token)).toBe(90);

    const w = await wallets(creator.token);
    expect(w.coins.pending).toBe("0.450");
    expect(w.coins.available).toBe("0.000");
    expect(w.coins.pending_details).toHaveLength(1);
    const lot = w.coins.pending_details[0];
    expect(lot).toMatchObject({
      amount: "0.450",
      source: "tip",
      work_id: work.id,
      source_user: { user_id: payer.id },
    });
    expect(lot.source_user.nickname).toBeTruthy();
    const unlockMs = new Date(lot.unlock_at).getTime() - before.getTime();
    expect(unlockMs).toBeGreaterThanOrEqual(7 * DAY_MS);
    expect(unlockMs).toBeLessThan(7 * DAY_MS + 60_000);

    // The ledger rows: the payer's spend, the creator's pending lot on the shard picked by the payer,
    // the platform's fee and the minted gross on the payer's platform shards.
    const rows = await queryRows<{ account_id: string; amount: string; entry_type: string; status: string }>(
      t.ctx.db,
      sql`select p.account_id, p.amount::text as amount, p.entry_type, p.status from postings p
          join ledger_transactions tr on tr.id = p.transaction_id
          where tr.type = 'tip_spend' and tr.metadata->>'payer_user_id' = ${payer.id} order by p.account_id`,
    );
    expect(rows.map((r) => [r.account_id, r.amount, r.entry_type, r.status]).sort()).toEqual(
      [
        [accountsOf(payer.id).credits.id, "-10", "tip_spend", "settled"],
        [platform.creditsSpent(payer.id).id, "10", "tip_spend", "settled"],
        [pendingShard(creator.id, payer.id).id, "450", "creator_tip_income", "pending"],
        [platform.coinsFeeIncome(payer.id).id, "50", "creator_tip_income", "settled"],
        [platform.coinsCreatorPayable(payer.id).id, "-500", "creator_tip_income", "settled"],
      ].sort(),
    );
    const meta = await one<{ metadata: Record<string, string> }>(
      sql`select metadata from ledger_transactions where type = 'tip_spend' and metadata->>'payer_user_id' = ${payer.id}`,
    );
    expect(meta.metadata).toMatchObject({ source: "tip", payer_user_id: payer.id, work_id: work.id });

    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token: creator.token });
    expect(ledger.body.data.items).toMatchObject([
      { type: "creator_tip_income", amount: "0.450", wallet: "coins_pending", status: "pending" },
    ]);

    // Favorite created, counters moved; the tipper's favorites include the work.
    const fav = await queryRows(
      t.ctx.db,
      sql`select 1 from favorites where user_id = ${payer.id} and work_id = ${work.id}`,
    );
    expect(fav).toHaveLength(1);
    const favorites = await call(t, "GET", "/api/v1/me/favorites", { token: payer.token });
    expect(favorites.status).toBe(200);
    expect(favorites.body.data.items.map((i: { work_id: string }) => i.work_id)).toContain(work.id);
    const stats = await one<{ tip_count: number; tip_credits: string; favorite_count: number }>(
      sql`select tip_count, tip_credits::text as tip_credits, favorite_count from work_stats where work_id = ${work.id}`,
    );
    expect(stats).toEqual({ tip_count: 1, tip_credits: "10", favorite_count: 1 });
    const us = await one<{ total: string }>(
      sql`select total_tipped_credits::text as total from user_stats where user_id = ${creator.id}`,
    );
    expect(us.total).toBe("10");
    const events = await queryRows<{ kind: string; ref_id: string }>(
      t.ctx.db,
      sql`select kind, ref_id from activity_events where user_id = ${payer.id}`,
    );
    expect(events).toEqual([{ kind: "tip_and_favorite", ref_id: work.id }]);

    // A second tip (50 → 2.500 gross → 2.250 + 0.250): the favorite exists, so favorite_count stays 1.
    const again = await tip(payer.token, work.id, 50);
    expect(again.body.data).toMatchObject({ creator_income: "2.250", tip_count: 2, favorite_count: 1 });
    expect((await wallets(creator.token)).coins.pending).toBe("2.700");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("own work, 15 credits, a removed work, too little balance: the spec's codes and no ledger row", async () => {
    const creator = await userWith(50);
    const poor = await userWith(5);
    const work = await makeWork(creator.id);
    const removed = await makeWork(creator.id, { status: "unpublished" });
    const count = await postingCount();

    const own = await tip(creator.token, work.id, 10);
    expect([own.status, own.body.code]).toEqual([403, 2002]);
    const fifteen = await tip(poor.token, work.id, 15);
    expect([fifteen.status, fifteen.body.code]).toEqual([422, 4220]);
    const gone = await tip(poor.token, removed.id, 10);
    expect([gone.status, gone.body.code]).toEqual([404, 4004]);
    const unknown = await tip(poor.token, newId(), 10);
    expect(unknown.status).toBe(404);
    const broke = await tip(poor.token, work.id, 10);
    expect([broke.status, broke.body.code]).toEqual([402, 2001]);
    expect(broke.body.data).toEqual({ current_balance: 5, required: 10 });

    expect(await postingCount()).toBe(count);
    const tips = await one<{ n: number }>(
      sql`select count(*)::int as n from tips where work_id in (${work.id}, ${removed.id})`,
    );
    expect(tips.n).toBe(0);
    const favs = await one<{ n: number }>(
      sql`select count(*)::int as n from favorites where work_id = ${work.id}`,
    );
    expect(favs.n).toBe(0);
    const stats = await one<{ tip_count: number }>(
      sql`select tip_count from work_stats where work_id = ${work.id}`,
    );
    expect(stats.tip_count).toBe(0);
    expect(await balance(poor.token)).toBe(5);
  });

  it("an Idempotency-Key retry replays the first answer and charges once", async () => {
    const creator = await userWith(0);
    const payer = await userWith(50);
    const work = await makeWork(creator.id);
    const k = key("tip");
    const first = await tip(payer.token, work.id, 20, k);
    const second = await tip(payer.token, work.id, 20, k);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await balance(payer.token)).toBe(30);
    expect((await wallets(creator.token)).coins.pending).toBe("0.900");
    const other = await tip(payer.token, work.id, 10, k);
    expect([other.status, other.body.code]).toEqual([409, 2007]);
  });

  it("pending_details: the open lots of every shard, soonest first, with source and payer; the total sums the shards", async () => {
    const creator = await userWith(0);
    const work = await makeWork(creator.id, { promptPriceCredits: 20 });
    const payers = await Promise.all(Array.from({ length: 6 }, () => userWith(100)));
    for (const [i, p] of payers.entries()) {
      t.clock.advance(1000);
      expect((await tip(p.token, work.id, 10 * (i % 2 === 0 ? 1 : 2))).status).toBe(200);
    }
    t.clock.advance(1000);
    expect((await unlock(payers[0]!.token, work.id)).body.data.cost_credits).toBe(20);
    const shards = new Set(payers.map((p) => pendingShard(creator.id, p.id).id));
    expect(shards.size).toBeGreaterThan(1);

    const w = await wallets(creator.token);
    // 3 × 0.450 + 3 × 0.900 + 20 × 0.045 = 4.950
    expect(w.coins.pending).toBe("4.950");
    expect(await pendingTotal(creator.id)).toBe(4950n);
    const lots = w.coins.pending_details as {
      unlock_at: string;
      source: string;
      source_user: { user_id: string };
    }[];
    expect(lots).toHaveLength(7);
    expect(lots.map((l) => l.unlock_at)).toEqual([...lots.map((l) => l.unlock_at)].sort());
    expect(lots.map((l) => l.source)).toEqual(["tip", "tip", "tip", "tip", "tip", "tip", "prompt"]);
    expect(lots.slice(0, 6).map((l) => l.source_user.user_id)).toEqual(payers.map((p) => p.id));
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});

describe("prompt", () => {
  it("locked for others until unlocked; unlock charges 5 once (creator 0.225 pending), then it is free", async () => {
    const creator = await userWith(0);
    const viewer = await userWith(12);
    const work = await makeWork(creator.id, { prompt: "秘密提示词" });

    expect((await viewPrompt(work.id)).body.data).toEqual({ locked: true, price_credits: 5 });
    expect((await viewPrompt(work.id, viewer.token)).body.data).toEqual({ locked: true, price_credits: 5 });
    expect((await viewPrompt(work.id, creator.token)).body.data).toEqual({
      locked: false,
      prompt_text: "秘密提示词",
    });

    const k = key("unlock");
    const first = await unlock(viewer.token, work.id, k);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toEqual({
      locked: false,
      prompt_text: "秘密提示词",
      cost_credits: 5,
      balance_after: 7,
    });
    expect((await wallets(creator.token)).coins.pending).toBe("0.225");
    // A retry with the same key replays the paid answer (and charges nothing).
    expect((await unlock(viewer.token, work.id, k)).body).toEqual(first.body);
    const count = await postingCount();
    const repeat = await unlock(viewer.token, work.id, key("unlock"));
    expect(repeat.body.data).toEqual({
      locked: false,
      prompt_text: "秘密提示词",
      cost_credits: 0,
      balance_after: 7,
    });
    expect(await postingCount()).toBe(count);
    expect((await viewPrompt(work.id, viewer.token)).body.data).toEqual({
      locked: false,
      prompt_text: "秘密提示词",
    });
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: viewer.token });
    expect(ledger.body.data.items.map((e: { type: string }) => e.type)).toEqual([
      "paid_prompt_spend",
      "bonus",
    ]);

    // The creator and a public prompt: free, no row.
    const own = await unlock(creator.token, work.id);
    expect(own.body.data).toMatchObject({ cost_credits: 0, prompt_text: "秘密提示词" });
    const open = await makeWork(creator.id, { isPromptLocked: false, prompt: "公开的" });
    expect((await viewPrompt(open.id)).body.data).toEqual({ locked: false, prompt_text: "公开的" });
    const free = await makeWork(creator.id, { promptPriceCredits: 0, prompt: "免费的" });
    expect((await unlock(viewer.token, free.id)).body.data).toMatchObject({ cost_credits: 0 });
    expect((await unlock(viewer.token, open.id)).body.data).toMatchObject({ cost_credits: 0 });
    expect(await postingCount()).toBe(count);
    expect(await balance(viewer.token)).toBe(7);
  });

  it("unlocking with 3 credits when the price is 5: 402/2001 and no row", async () => {
    const creator = await userWith(0);
    const viewer = await userWith(3);
    const work = await makeWork(creator.id);
    const count = await postingCount();
    const res = await unlock(viewer.token, work.id);
    expect([res.status, res.body.code]).toEqual([402, 2001]);
    expect(res.body.data).toEqual({ current_balance: 3, required: 5 });
    expect(await postingCount()).toBe(count);
    expect((await viewPrompt(work.id, viewer.token)).body.data.locked).toBe(true);
    const gone = await makeWork(creator.id, { status: "taken_down" });
    expect((await unlock(viewer.token, gone.id)).status).toBe(404);
    expect((await viewPrompt(gone.id, viewer.token)).status).toBe(404);
  });
});

describe("remix", () => {
  it("charges the fee to the creator's benefit, then the generation cost; the remixer never sees the locked prompt", async () => {
    const creator = await userWith(0);
    const remixer = await userWith(12);
    const work = await makeWork(creator.id, { prompt: "付费的原始提示词" });

    const res = await remix(remixer.token, work.id, { prompt_delta: "  加上雪景 " });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ remix_fee_credits: 2, cost_credits: 10, balance_after: 0 });
    const taskId = res.body.data.task_id as string;
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: remixer.token });
    expect(ledger.body.data.items.map((e: { type: string; amount: number }) => [e.type, e.amount])).toEqual([
      ["gen_hold", -10],
      ["remix_spend", -2],
      ["bonus", 12],
    ]);
    const w = await wallets(creator.token);
    expect(w.coins.pending).toBe("0.090");
    expect(w.coins.pending_details[0]).toMatchObject({
      source: "remix",
      source_user: { user_id: remixer.id },
    });

    const row = await one<{
      prompt: string;
      source_type: string;
      source_work_id: string;
      remix_fee_credits: number;
    }>(sql`select prompt, source_type, source_work_id, remix_fee_credits from tasks where id = ${taskId}`);
    // The vendor gets the whole prompt; the remixer sees only their own addition.
    expect(row).toEqual({
      prompt: "付费的原始提示词 加上雪景",
      source_type: "remix",
      source_work_id: work.id,
      remix_fee_credits: 2,
    });
    expect((await getTask(remixer.token, taskId)).body.data.prompt).toBe("加上雪景");
    const list = await call(t, "GET", "/api/v1/tasks", { token: remixer.token });
    expect(JSON.stringify(list.body)).not.toContain("付费的原始提示词");
    const sse = await t.app
      .inject({ url: `/api/v1/tasks/${taskId}/events?access_token=${remixer.token}` })
      .catch(() => null);
    void sse; // the stream ends with the task; its content is checked below once the task is done

    const done = await runToEnd(remixer.token, taskId);
    expect(done.body.data.status).toBe("SUCCESS");
    expect(done.body.data.prompt).toBe("加上雪景");
    const videos = await call(t, "GET", "/api/v1/assets/videos", { token: remixer.token });
    expect(videos.body.data.items[0].prompt).toBe("加上雪景");
    expect(JSON.stringify(videos.body)).not.toContain("付费的原始提示词");
    const stream = await t.app.inject({
      url: `/api/v1/tasks/${taskId}/events?access_token=${remixer.token}`,
    });
    expect(stream.body).toContain("加上雪景");
    expect(stream.body).not.toContain("付费的原始提示词");
    // Success: the fee stays with the creator.
    expect((await wallets(creator.token)).coins.pending).toBe("0.090");
    expect(await balance(remixer.token)).toBe(0);
    const told = (await call(t, "GET", "/api/v1/notifications", { token: creator.token })).body.data.items;
    expect(told.find((n: { kind: string }) => n.kind === "work_remixed")).toMatchObject({
      data: { fee_credits: 2, coins: "0.090" },
      actor: { user_id: remixer.id },
    });
    const events = await queryRows<{ kind: string }>(
      t.ctx.db,
      sql`select kind from activity_events where user_id = ${remixer.id} order by created_at, kind desc`,
    );
    // The remix itself, then its generation's success (both count for the task center).
    expect(events.map((e) => e.kind)).toEqual(["remix_work", "gen_success"]);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("an unlocked (or public) prompt is shown whole in the remix task", async () => {
    const creator = await userWith(0);
    const remixer = await userWith(50);
    const work = await makeWork(creator.id, { prompt: "可以看的提示词" });
    await unlock(remixer.token, work.id);
    const res = await remix(remixer.token, work.id, { prompt_delta: "#fail 第二版" });
    expect((await getTask(remixer.token, res.body.data.task_id)).body.data.prompt).toBe(
      "可以看的提示词 #fail 第二版",
    );
  });

  it("a failed remix refunds the cost and the fee and reverses the creator's lot, exactly once", async () => {
    const creator = await userWith(0);
    const remixer = await userWith(20);
    const work = await makeWork(creator.id, { remixFeeCredits: 5 });
    const res = await remix(remixer.token, work.id, { prompt_delta: "#fail" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await balance(remixer.token)).toBe(5);
    const lotId = (await wallets(creator.token)).coins.pending_details[0].lot_id as string;
    expect((await wallets(creator.token)).coins.pending).toBe("0.225");

    const done = await runToEnd(remixer.token, res.body.data.task_id);
    expect(done.body.data).toMatchObject({ status: "FAILURE", refunded: true });
    expect(await balance(remixer.token)).toBe(20);
    const cw = await wallets(creator.token);
    expect(cw.coins.pending).toBe("0.000");
    expect(cw.coins.pending_details).toEqual([]);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: remixer.token });
    expect(ledger.body.data.items.map((e: { type: string; amount: number }) => [e.type, e.amount])).toEqual(
      expect.arrayContaining([
        ["gen_refund", 10],
        ["remix_refund", 5],
      ]),
    );
    const reversal = await queryRows<{ business_key: string }>(
      t.ctx.db,
      sql`select business_key from ledger_transactions where ref_type = 'lot' and ref_id = ${lotId}`,
    );
    expect(reversal).toEqual([{ business_key: `lot:${lotId}:reverse` }]);

    // Once: a late failure, a second reversal and a release all move nothing.
    const count = await postingCount();
    expect(await failTask(t.ctx, res.body.data.task_id, "超时")).toBe(false);
    expect(await t.ctx.db.transaction((tx) => reverseLot(tx, lotId, t.clock.now()))).toEqual({
      status: "already",
    });
    t.clock.advance(8 * DAY_MS);
    expect(await t.ctx.db.transaction((tx) => releaseLot(tx, lotId, t.clock.now()))).toEqual({
      status: "blocked",
      by: "reverse",
    });
    expect(await postingCount()).toBe(count);
    expect(await creditsOf(remixer.id)).toBe(20n);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("fee + cost not covered: 402 with required = fee + cost and nothing charged; remix turned off: 403/2002; a sensitive delta: 400/4220", async () => {
    const creator = await userWith(0);
    const remixer = await userWith(11);
    const poorer = await userWith(1);
    const work = await makeWork(creator.id);
    const closed = await makeWork(creator.id, { allowRemix: false });
    const count = await postingCount();
    const short = await remix(remixer.token, work.id, { prompt_delta: "差一点" });
    expect([short.status, short.body.code]).toEqual([402, 2001]);
    expect(short.body.data).toEqual({ current_balance: 11, required: 12 });
    const tooPoor = await remix(poorer.token, work.id);
    expect(tooPoor.body.data).toEqual({ current_balance: 1, required: 12 });
    const off = await remix(remixer.token, closed.id);
    expect([off.status, off.body.code]).toEqual([403, 2002]);
    const dirty = await remix(remixer.token, work.id, { prompt_delta: "加点色情内容" });
    expect([dirty.status, dirty.body.code]).toEqual([400, 4220]);
    expect(Object.keys(dirty.body.data.fields)).toEqual(["prompt_delta"]);
    expect(await postingCount()).toBe(count);
    const tasks = await one<{ n: number }>(
      sql`select count(*)::int as n from tasks where user_id = ${remixer.id}`,
    );
    expect(tasks.n).toBe(0);
    expect(await balance(remixer.token)).toBe(11);
    expect((await wallets(creator.token)).coins.pending).toBe("0.000");
  });

  it("the creator remixes their own work without a fee (even with remix turned off for others)", async () => {
    const creator = await userWith(10);
    const work = await makeWork(creator.id, { allowRemix: false, prompt: "我的提示词" });
    const res = await remix(creator.token, work.id, { prompt_delta: "#fail 新版" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ remix_fee_credits: 0, cost_credits: 10, balance_after: 0 });
    expect((await getTask(creator.token, res.body.data.task_id)).body.data.prompt).toBe(
      "我的提示词 #fail 新版",
    );
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: creator.token });
    expect(ledger.body.data.items.map((e: { type: string }) => e.type)).toEqual(["gen_hold", "bonus"]);
  });
});

describe("lots: release and reversal (ledger)", () => {
  it("releaseLot moves a matured lot once (pending shard → available); twice is a no-op; a released lot is never reversed", async () => {
    const creator = await userWith(0);
    const payer = await userWith(20);
    const work = await makeWork(creator.id);
    expect((await tip(payer.token, work.id, 20)).status).toBe(200);
    const lotId = (await wallets(creator.token)).coins.pending_details[0].lot_id as string;
    const lot = await findLot(t.ctx.db, lotId);
    expect(lot).toMatchObject({
      amount: 900n,
      accountId: pendingShard(creator.id, payer.id).id,
      endedBy: null,
    });

    const early = await t.ctx.db.transaction((tx) => releaseLot(tx, lotId, t.clock.now()));
    expect(early.status).toBe("not_due");
    t.clock.advance(7 * DAY_MS + 1000);
    const released = await t.ctx.db.transaction((tx) => releaseLot(tx, lotId, t.clock.now()));
    expect(released.status).toBe("done");
    creator.token = await relogin(creator);
    const w = await wallets(creator.token);
    expect(w.coins).toMatchObject({ available: "0.900", pending: "0.000", pending_details: [] });
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token: creator.token });
    expect(
      ledger.body.data.items
        .map((e: { type: string; amount: string; wallet: string }) => [e.type, e.amount, e.wallet])
        .sort(),
    ).toEqual(
      [
        ["coin_release", "0.900", "coins_available"],
        ["coin_release", "-0.900", "coins_pending"],
        ["creator_tip_income", "0.900", "coins_pending"],
      ].sort(),
    );

    const count = await postingCount();
    expect(await t.ctx.db.transaction((tx) => releaseLot(tx, lotId, t.clock.now()))).toEqual({
      status: "already",
    });
    expect(await t.ctx.db.transaction((tx) => reverseLot(tx, lotId, t.clock.now()))).toEqual({
      status: "blocked",
      by: "release",
    });
    expect(await postingCount()).toBe(count);
    expect((await findLot(t.ctx.db, lotId))?.endedBy).toBe("release");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("account closure forfeits every pending shard; its lots are never released", async () => {
    const creator = await userWith(0);
    const work = await makeWork(creator.id);
    const payers = await Promise.all(Array.from({ length: 4 }, () => userWith(10)));
    for (const p of payers) expect((await tip(p.token, work.id, 10)).status).toBe(200);
    const lots = (await wallets(creator.token)).coins.pending_details.map(
      (l: { lot_id: string }) => l.lot_id,
    );
    const res = await call(t, "POST", "/api/v1/me/delete_account", { token: creator.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.forfeited.coins_pending).toBe("1.800");
    expect(await pendingTotal(creator.id)).toBe(0n);
    t.clock.advance(8 * DAY_MS);
    for (const lot of lots) {
      expect(await t.ctx.db.transaction((tx) => releaseLot(tx, lot, t.clock.now()))).toEqual({
        status: "forfeited",
      });
    }
    // Nor can a closed creator's work take new money.
    const late = await tip(await relogin(payers[0]!), work.id, 10);
    expect(late.status).toBe(404);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
