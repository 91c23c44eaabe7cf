import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";
import { grantAvailableCoins } from "../helpers/coins.js";
import { newUser, publishNew, type TestUser } from "../helpers/community.js";

// 2026-12-01 10:00 Shanghai.
const START = new Date("2026-12-01T02:00:00Z");
const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ start: START });
});
afterAll(() => t.close());

let seq = 0;
const key = () => `order-test-${++seq}-${Date.now()}`;
const inDays = (days: number) => new Date(t.clock.now().getTime() + days * DAY).toISOString();

const wallet = async (u: TestUser) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token: u.token })).body.data.coins;
const coinLedger = async (u: TestUser) =>
  (await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token: u.token })).body.data.items as {
    type: string;
    amount: string;
    status: string;
  }[];
const escrowOf = async (orderId: string) => {
  const [row] = await queryRows<{ balance: string }>(
    t.ctx.db,
    sql`select balance::text as balance from accounts where id = ${`escrow:order:${orderId}`}`,
  );
  return row?.balance ?? null;
};
const kindsOf = async (u: TestUser) =>
  (
    (await call(t, "GET", "/api/v1/notifications", { token: u.token })).body.data.items as { kind: string }[]
  ).map((n) => n.kind);

async function publisherWith(coins: number) {
  const u = await newUser(t);
  if (coins > 0) await grantAvailableCoins(t, u.id, coins);
  return u;
}

function create(u: TestUser, body: Record<string, unknown> = {}, idem = key()) {
  return call(t, "POST", "/api/v1/orders/create", {
    token: u.token,
    headers: { "idempotency-key": idem },
    body: {
      title: "新品口红 15 秒种草视频",
      brief: "竖屏 9:16，突出色号与质感，结尾露出品牌 logo。",
      category: "ecommerce",
      deadline_at: inDays(5),
      budget_coins: "50",
      ...body,
    },
  });
}

const act = (u: TestUser, orderId: string, action: string, body: object = {}, idem?: string) =>
  call(t, "POST", `/api/v1/orders/${orderId}/${action}`, {
    token: u.token,
    body,
    headers: idem ? { "idempotency-key": idem } : {},
  });

/** An order published by `pub`, applied to by `creator` and awarded to it. */
async function awardedOrder(pub: TestUser, creator: TestUser, body: Record<string, unknown> = {}) {
  const created = await create(pub, body);
  expect(created.status).toBe(200);
  const id = created.body.data.order.order_id as string;
  expect((await act(creator, id, "apply", { proposal_text: "三天内交付，附分镜" })).status).toBe(200);
  expect((await act(pub, id, "award", { creator_user_id: creator.id })).status).toBe(200);
  return id;
}

describe("coins recharge for publishers (SPEC §6)", () => {
  it("lists the coins packs and a paid ¥100 pack is 100 available coins at once", async () => {
    const u = await newUser(t);
    const config = await call(t, "GET", "/api/v1/config");
    expect(config.body.data.commission_orders).toEqual({
      min_budget_coins: "10.000",
      fee_percent: 5,
      auto_accept_days: 7,
    });
    const packs = await call(t, "GET", "/api/v1/products?type=coins_pack", { token: u.token });
    const items = packs.body.data.items as { product_id: string; price_cny: string; coins_amount: string }[];
    expect(items.map((p) => [p.price_cny, p.coins_amount])).toEqual([
      ["100.00", "100.000"],
      ["500.00", "500.000"],
      ["1000.00", "1000.000"],
      ["5000.00", "5000.000"],
    ]);
    const pay = await call(t, "POST", "/api/v1/coins/recharge/create_payment", {
      token: u.token,
      headers: { "idempotency-key": key() },
      body: { product_id: items[0]?.product_id, pay_channel: "sandbox", client: "h5" },
    });
    expect(pay.body.code).toBe(0);
    const paid = await call(t, "POST", `/api/v1/dev/payments/${pay.body.data.payment_id}/complete`, {
      body: { result: "success" },
    });
    expect(paid.status).toBe(200);
    expect((await wallet(u)).available).toBe("100.000");
  });
});

describe("publishing an order", () => {
  it("moves the budget into the order's escrow (order_escrow_hold) and lists it in the hall", async () => {
    const pub = await publisherWith(100);
    const res = await create(pub);
    expect(res.status).toBe(200);
    const o = res.body.data.order;
    expect(res.body.data.coins_available).toBe("50.000");
    expect(o).toMatchObject({
      status: "published",
      budget_coins: "50.000",
      payout_coins: "47.500",
      fee_coins: "2.500",
      viewer_role: "publisher",
      applications: [],
    });
    expect(await escrowOf(o.order_id)).toBe("50000");
    expect((await wallet(pub)).available).toBe("50.000");
    expect((await coinLedger(pub))[0]).toMatchObject({ type: "order_escrow_hold", amount: "-50.000" });
    const stranger = await newUser(t);
    const hall = await call(t, "GET", "/api/v1/orders/list?role=open&category=ecommerce", {
      token: stranger.token,
    });
    expect(hall.body.data.items.map((i: { order_id: string }) => i.order_id)).toContain(o.order_id);
    const other = await call(t, "GET", "/api/v1/orders/list?role=open&category=brand", {
      token: stranger.token,
    });
    expect(other.body.data.items.map((i: { order_id: string }) => i.order_id)).not.toContain(o.order_id);
  });

  it("refuses a budget under 10 coins, a deadline too near or too far, and more than available, moving nothing", async () => {
    const pub = await publisherWith(30);
    const small = await create(pub, { budget_coins: "9.99" });
    expect([small.status, small.body.code, small.body.data.rule]).toEqual([400, 2009, "min_budget"]);
    expect(small.body.message).toBe("商单预算至少 10 金币");
    const soon = await create(pub, {
      deadline_at: new Date(t.clock.now().getTime() + 600_000).toISOString(),
    });
    expect([soon.status, soon.body.code, soon.body.data.rule]).toEqual([400, 2009, "deadline"]);
    const far = await create(pub, { deadline_at: inDays(91) });
    expect([far.status, far.body.code]).toEqual([400, 2009]);
    const fractional = await create(pub, { budget_coins: "10.001" });
    expect([fractional.status, fractional.body.code]).toEqual([422, 4220]);
    const short = await create(pub, { budget_coins: "30.01" });
    expect(short.status).toBe(402);
    expect(short.body).toMatchObject({ code: 2005, data: { available: "30.000", required: "30.010" } });
    expect((await wallet(pub)).available).toBe("30.000");
    const mine = await call(t, "GET", "/api/v1/orders/list?role=publisher", { token: pub.token });
    expect(mine.body.data.items).toEqual([]);
  });

  it("replays a create with the same Idempotency-Key instead of holding the budget twice", async () => {
    const pub = await publisherWith(100);
    const idem = key();
    const body = { deadline_at: inDays(5) };
    const first = await create(pub, body, idem);
    const again = await create(pub, body, idem);
    expect(again.body).toEqual(first.body);
    expect((await wallet(pub)).available).toBe("50.000");
  });
});

describe("the order's life: apply → award → deliver → accept", () => {
  it("pays the creator 95 % as a pending lot, 5 % to the platform, and leaves the escrow at zero", async () => {
    const pub = await publisherWith(100);
    const creator = await newUser(t);
    const rival = await newUser(t);
    const id = (await create(pub)).body.data.order.order_id as string;

    const own = await act(pub, id, "apply", { proposal_text: "我自己来做这个" });
    expect([own.status, own.body.code]).toEqual([403, 2002]);
    const applied = await act(creator, id, "apply", { proposal_text: "三天内交付，附分镜" });
    expect(applied.status).toBe(200);
    expect(applied.body.data.viewer_role).toBe("applicant");
    const twice = await act(creator, id, "apply", { proposal_text: "再投一次试试" });
    expect([twice.status, twice.body.code]).toEqual([409, 2007]);
    expect((await act(rival, id, "apply", { proposal_text: "我也可以，两天交付" })).status).toBe(200);

    // The publisher sees both applications; an applicant only its own.
    const asPublisher = (await call(t, "GET", `/api/v1/orders/${id}`, { token: pub.token })).body.data;
    expect(
      asPublisher.applications.map((a: { applicant: { user_id: string } }) => a.applicant.user_id),
    ).toEqual([creator.id, rival.id]);
    expect(asPublisher.applications_count).toBe(2);
    const asRival = (await call(t, "GET", `/api/v1/orders/${id}`, { token: rival.token })).body.data;
    expect(asRival.applications.map((a: { applicant: { user_id: string } }) => a.applicant.user_id)).toEqual([
      rival.id,
    ]);
    expect(await kindsOf(pub)).toContain("order_applied");

    const byOther = await act(rival, id, "award", { creator_user_id: rival.id });
    expect([byOther.status, byOther.body.code]).toEqual([403, 2002]);
    const stranger = await newUser(t);
    const notApplicant = await act(pub, id, "award", { creator_user_id: stranger.id });
    expect([notApplicant.status, notApplicant.body.code]).toEqual([422, 4220]);
    const awarded = await act(pub, id, "award", { creator_user_id: creator.id });
    expect(awarded.body.data).toMatchObject({ status: "awarded", awarded_creator: { user_id: creator.id } });
    expect(awarded.body.data.applications.map((a: { status: string }) => a.status)).toEqual([
      "awarded",
      "not_selected",
    ]);
    expect(await kindsOf(creator)).toContain("order_awarded");
    // An awarded order is no longer in the hall, nor visible to someone who never applied.
    expect((await call(t, "GET", `/api/v1/orders/${id}`, { token: stranger.token })).status).toBe(404);

    const rivalWork = await publishNew(t, rival);
    const creatorWork = await publishNew(t, creator);
    const notAwarded = await act(rival, id, "deliver", { work_id: rivalWork.work_id });
    expect([notAwarded.status, notAwarded.body.code]).toEqual([403, 2002]);
    const othersWork = await act(creator, id, "deliver", { work_id: rivalWork.work_id });
    expect([othersWork.status, othersWork.body.code]).toEqual([403, 2002]);
    const early = await act(pub, id, "accept", {}, key());
    expect([early.status, early.body.code]).toEqual([409, 2007]);
    const delivered = await act(creator, id, "deliver", { work_id: creatorWork.work_id });
    expect(delivered.body.data).toMatchObject({
      status: "delivered",
      delivered_work: { work_id: creatorWork.work_id, title: creatorWork.title },
    });
    const { auto_accept_at, delivered_at } = delivered.body.data;
    expect(Date.parse(auto_accept_at) - Date.parse(delivered_at)).toBe(7 * DAY);
    expect(await kindsOf(pub)).toContain("order_delivered");

    const notPublisher = await act(creator, id, "accept", {}, key());
    expect([notPublisher.status, notPublisher.body.code]).toEqual([403, 2002]);
    const idem = key();
    const accepted = await act(pub, id, "accept", {}, idem);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toMatchObject({
      status: "completed",
      outcome: "accepted",
      creator_paid_coins: "47.500",
      publisher_refunded_coins: "0.000",
    });
    expect((await act(pub, id, "accept", {}, idem)).body).toEqual(accepted.body);
    const again = await act(pub, id, "accept", {}, key());
    expect([again.status, again.body.code]).toEqual([409, 2007]);

    expect(await escrowOf(id)).toBe("0");
    expect(await wallet(creator)).toMatchObject({ available: "0.000", pending: "47.500" });
    expect((await coinLedger(creator))[0]).toMatchObject({
      type: "order_payout_income",
      amount: "47.500",
      status: "pending",
    });
    const [lot] = (await wallet(creator)).pending_details;
    expect(lot).toMatchObject({ amount: "47.500" });
    const unlockIn = Date.parse(lot.unlock_at) - Date.parse(accepted.body.data.finished_at);
    expect(unlockIn).toBe(7 * DAY);
    expect(await kindsOf(creator)).toContain("order_accepted");
    const [fee] = await queryRows<{ fee: string }>(
      t.ctx.db,
      sql`select sum(p.amount)::text as fee from postings p join ledger_transactions x on x.id = p.transaction_id
          where x.business_key = ${`order:${id}:settle`} and p.account_id like 'platform:coins:fee_income:%'`,
    );
    expect(fee?.fee).toBe("2500");
  });
});

describe("cancelling", () => {
  it("before the award cancels at once and refunds the escrow (order_escrow_refund)", async () => {
    const pub = await publisherWith(100);
    const id = (await create(pub)).body.data.order.order_id as string;
    const other = await newUser(t);
    const notMine = await act(other, id, "cancel_request", {}, key());
    expect([notMine.status, notMine.body.code]).toEqual([403, 2002]);
    const res = await act(pub, id, "cancel_request", { reason: "活动取消" }, key());
    expect(res.body.data).toMatchObject({
      status: "cancelled",
      outcome: "cancelled_by_publisher",
      publisher_refunded_coins: "50.000",
    });
    expect((await wallet(pub)).available).toBe("100.000");
    expect((await coinLedger(pub))[0]).toMatchObject({ type: "order_escrow_refund", amount: "50.000" });
    expect(await escrowOf(id)).toBe("0");
    const late = await act(other, id, "apply", { proposal_text: "还能投稿吗？" });
    expect(late.status).toBe(404);
  });

  it("after the award waits for the creator: reject keeps it awarded, approve refunds", async () => {
    const pub = await publisherWith(100);
    const creator = await newUser(t);
    const id = await awardedOrder(pub, creator);
    const asked = await act(pub, id, "cancel_request", { reason: "预算调整" }, key());
    expect(asked.body.data).toMatchObject({ status: "cancel_requested", cancel_reason: "预算调整" });
    expect((await wallet(pub)).available).toBe("50.000");
    expect(await kindsOf(creator)).toContain("order_cancel_requested");
    const byPublisher = await act(pub, id, "cancel_decide", { decision: "approve" }, key());
    expect([byPublisher.status, byPublisher.body.code]).toEqual([403, 2002]);
    const work = await publishNew(t, creator);
    const deliverWhileAsked = await act(creator, id, "deliver", { work_id: work.work_id });
    expect([deliverWhileAsked.status, deliverWhileAsked.body.code]).toEqual([409, 2007]);

    const rejected = await act(creator, id, "cancel_decide", { decision: "reject" }, key());
    expect(rejected.body.data).toMatchObject({ status: "awarded", cancel_requested_at: null });
    expect((await wallet(pub)).available).toBe("50.000");
    expect(await kindsOf(pub)).toContain("order_cancel_decided");

    await act(pub, id, "cancel_request", {}, key());
    const approved = await act(creator, id, "cancel_decide", { decision: "approve" }, key());
    expect(approved.body.data).toMatchObject({ status: "cancelled", outcome: "cancelled_by_consent" });
    expect((await wallet(pub)).available).toBe("100.000");
    expect(await escrowOf(id)).toBe("0");
  });

  it("a delivered order cannot be cancelled", async () => {
    const pub = await publisherWith(50);
    const creator = await newUser(t);
    const id = await awardedOrder(pub, creator);
    const work = await publishNew(t, creator);
    await act(creator, id, "deliver", { work_id: work.work_id });
    const res = await act(pub, id, "cancel_request", {}, key());
    expect([res.status, res.body.code]).toEqual([409, 2007]);
    expect(await escrowOf(id)).toBe("50000");
  });
});

describe("closing an account (注销) with open orders", () => {
  it("is refused while the user publishes or is awarded an open order, and allowed once it ended", async () => {
    const pub = await publisherWith(50);
    const creator = await newUser(t);
    const id = await awardedOrder(pub, creator);
    const close = (u: TestUser) =>
      call(t, "POST", "/api/v1/me/delete_account", { token: u.token, headers: { "idempotency-key": key() } });
    for (const u of [pub, creator]) {
      const refused = await close(u);
      expect([refused.status, refused.body.code, refused.body.data.open_orders]).toEqual([409, 2007, 1]);
    }
    expect(await escrowOf(id)).toBe("50000");
    await act(pub, id, "cancel_request", {}, key());
    await act(creator, id, "cancel_decide", { decision: "approve" }, key());
    expect((await close(creator)).status).toBe(200);
  });
});

describe("deadlines (orders.deadlines through /dev/jobs)", () => {
  const runAt = (at: Date) =>
    call(t, "POST", "/api/v1/dev/jobs/orders.deadlines/run", { body: { at: at.toISOString() } });

  it("cancels and refunds a stale published order, and lets the publisher cancel an overdue awarded one at once", async () => {
    const pub = await publisherWith(100);
    const creator = await newUser(t);
    const stale = (await create(pub, { deadline_at: inDays(2) })).body.data.order.order_id as string;
    const overdue = await awardedOrder(pub, creator, { deadline_at: inDays(2) });
    expect((await wallet(pub)).available).toBe("0.000");

    const before = await runAt(new Date(t.clock.now().getTime() + DAY));
    expect(JSON.parse(before.body.data.detail)).toMatchObject({ expired: 0, overdueNotified: 0 });
    const after = await runAt(new Date(t.clock.now().getTime() + 2 * DAY + 60_000));
    expect(JSON.parse(after.body.data.detail)).toMatchObject({ expired: 1, overdueNotified: 1 });

    const staleView = (await call(t, "GET", `/api/v1/orders/${stale}`, { token: pub.token })).body.data;
    expect(staleView).toMatchObject({
      status: "cancelled",
      outcome: "expired",
      publisher_refunded_coins: "50.000",
    });
    expect((await wallet(pub)).available).toBe("50.000");
    expect(await kindsOf(pub)).toEqual(expect.arrayContaining(["order_cancelled", "order_deadline_passed"]));
    expect(await kindsOf(creator)).toContain("order_deadline_passed");

    t.clock.advance(2 * DAY + 60_000);
    const view = (await call(t, "GET", `/api/v1/orders/${overdue}`, { token: pub.token })).body.data;
    expect(view).toMatchObject({ status: "awarded", can_cancel_without_consent: true });
    const cancelled = await act(pub, overdue, "cancel_request", {}, key());
    expect(cancelled.body.data).toMatchObject({ status: "cancelled", outcome: "cancelled_after_deadline" });
    expect((await wallet(pub)).available).toBe("100.000");
    expect(await kindsOf(creator)).toContain("order_cancelled");
  });

  it("accepts a delivered order automatically 7 days after delivery", async () => {
    const pub = await publisherWith(20);
    const creator = await newUser(t);
    const id = await awardedOrder(pub, creator, { budget_coins: "20" });
    const work = await publishNew(t, creator);
    await act(creator, id, "deliver", { work_id: work.work_id });
    const statusOf = async () =>
      (await call(t, "GET", `/api/v1/orders/${id}`, { token: creator.token })).body.data.status;
    await runAt(new Date(t.clock.now().getTime() + 7 * DAY - 60_000));
    expect(await statusOf()).toBe("delivered");
    const due = await runAt(new Date(t.clock.now().getTime() + 7 * DAY + 1000));
    expect(JSON.parse(due.body.data.detail).autoAccepted).toBeGreaterThanOrEqual(1);
    const view = (await call(t, "GET", `/api/v1/orders/${id}`, { token: creator.token })).body.data;
    expect(view).toMatchObject({
      status: "completed",
      outcome: "auto_accepted",
      creator_paid_coins: "19.000",
    });
    expect((await wallet(creator)).pending).toBe("19.000");
    expect(await kindsOf(creator)).toContain("order_accepted");
    expect(await escrowOf(id)).toBe("0");
  });
});

describe("disputes settled by an admin", () => {
  async function disputed(budget = "50") {
    const pub = await publisherWith(Number(budget));
    const creator = await newUser(t);
    const id = await awardedOrder(pub, creator, { budget_coins: budget });
    const work = await publishNew(t, creator);
    await act(creator, id, "deliver", { work_id: work.work_id });
    const res = await act(pub, id, "dispute", { reason: "成片没有露出品牌 logo" });
    expect(res.body.data).toMatchObject({ status: "disputed", dispute: { reason: "成片没有露出品牌 logo" } });
    return { pub, creator, id };
  }
  async function admin() {
    const a = await newUser(t);
    await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: a.id, roles: ["admin"] } });
    return a;
  }
  const settle = (a: TestUser, id: string, body: object) =>
    call(t, "POST", `/api/v1/admin/orders/${id}/settle`, {
      token: a.token,
      body,
      headers: { "idempotency-key": key() },
    });

  it("a split pays the creator its share less the fee as a pending lot and refunds the rest", async () => {
    const { pub, creator, id } = await disputed();
    expect(await kindsOf(creator)).toContain("order_disputed");
    const noRole = await settle(pub, id, { resolution: "pay", note: "我自己判" });
    expect([noRole.status, noRole.body.code]).toEqual([403, 2002]);
    const a = await admin();
    const queue = await call(t, "GET", "/api/v1/admin/orders?status=disputed", { token: a.token });
    expect(queue.body.data.items.map((o: { order_id: string }) => o.order_id)).toContain(id);
    const badShare = await settle(a, id, { resolution: "split", creator_share_coins: "50", note: "x" });
    expect([badShare.status, badShare.body.code]).toEqual([422, 4220]);
    const res = await settle(a, id, {
      resolution: "split",
      creator_share_coins: "20",
      note: "按完成度 40% 结算",
    });
    expect(res.body.data).toMatchObject({
      status: "split",
      outcome: "dispute_split",
      creator_paid_coins: "19.000",
      publisher_refunded_coins: "30.000",
      dispute: { resolution: "split", creator_share_coins: "20.000", note: "按完成度 40% 结算" },
    });
    expect((await wallet(creator)).pending).toBe("19.000");
    expect((await wallet(pub)).available).toBe("30.000");
    expect(await escrowOf(id)).toBe("0");
    expect(await kindsOf(pub)).toContain("order_dispute_settled");
    const ids = async (status: string) =>
      (
        await call(t, "GET", `/api/v1/orders/list?role=applicant&status=${status}`, { token: creator.token })
      ).body.data.items.map((o: { order_id: string }) => o.order_id);
    expect(await ids("done")).toEqual([id]);
    expect(await ids("finished")).toEqual([id]);
    expect(await ids("active")).toEqual([]);
    const twice = await settle(a, id, { resolution: "refund", note: "再判一次" });
    expect([twice.status, twice.body.code]).toEqual([409, 2007]);
  });

  it("refund returns everything; pay pays as an acceptance would; a disputed order is never auto-accepted", async () => {
    const a = await admin();
    const refunded = await disputed("10");
    await call(t, "POST", "/api/v1/dev/jobs/orders.deadlines/run", {
      body: { at: new Date(t.clock.now().getTime() + 8 * DAY).toISOString() },
    });
    const still = await call(t, "GET", `/api/v1/orders/${refunded.id}`, { token: refunded.pub.token });
    expect(still.body.data.status).toBe("disputed");
    expect(
      (await settle(a, refunded.id, { resolution: "refund", note: "未按要求交付" })).body.data,
    ).toMatchObject({
      status: "cancelled",
      outcome: "dispute_refunded",
    });
    expect((await wallet(refunded.pub)).available).toBe("10.000");
    expect((await wallet(refunded.creator)).pending).toBe("0.000");
    const paid = await disputed("10");
    expect((await settle(a, paid.id, { resolution: "pay", note: "符合要求" })).body.data.status).toBe(
      "completed",
    );
    expect((await wallet(paid.creator)).pending).toBe("9.500");
  });
});

describe("the ledger after all of it", () => {
  it("reconciles, and every finished order's escrow is at zero", async () => {
    const report = await reconcile(t.ctx.db);
    expect(report.escrowMismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
