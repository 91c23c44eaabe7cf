import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { type Api, call, login, startTestApp, type TestApp } from "../helpers/app.js";

const DAY_MS = 24 * 3600_000;
let t: TestApp;
// 2026-12-01 10:00 Shanghai: far from midnight, so "today" is stable while a test runs.
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-12-01T02:00:00Z") });
});
afterAll(() => t.close());

let keySeq = 0;
const key = () => `pay-test-${++keySeq}-${Date.now()}`;

async function buy(token: string, productId: string, channel = "sandbox"): Promise<Api> {
  return call(t, "POST", "/api/v1/payments/create", {
    token,
    body: { product_id: productId, pay_channel: channel, client: "h5" },
    headers: { "idempotency-key": key() },
  });
}

async function complete(paymentId: string, result: "success" | "fail" = "success"): Promise<Api> {
  return call(t, "POST", `/api/v1/dev/payments/${paymentId}/complete`, { body: { result } });
}

const wallets = async (token: string) => (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data;
const ledger = async (token: string, type: "credits" | "coins" = "credits") =>
  (await call(t, "GET", `/api/v1/wallet/ledgers?type=${type}`, { token })).body.data.items;

describe("credit packs through the sandbox cashier", () => {
  it("the ¥6 pack grants 120 credits once, through the signed callback", async () => {
    const u = await login(t);
    const created = await buy(u.access_token, "credits_120");
    expect(created.status).toBe(200);
    const { payment_id, amount_cny, pay_params, expire_at } = created.body.data;
    expect(amount_cny).toBe("6.00");
    expect(pay_params.pay_url).toMatch(/^\/sandbox\/pay\/cashier\/[0-9a-f]{32}$/);
    expect(Math.abs(new Date(expire_at).getTime() - t.clock.now().getTime() - 15 * 60_000)).toBeLessThan(
      5_000,
    );

    const cashier = await t.app.inject({ method: "GET", url: pay_params.pay_url });
    expect(cashier.statusCode).toBe(200);
    expect(cashier.body).toContain("确认支付");
    expect(cashier.body).toContain("6.00");

    const pending = await call(t, "GET", `/api/v1/payments/${payment_id}`, { token: u.access_token });
    expect(pending.body.data).toMatchObject({ status: "pending", fulfilled: false, product_name: "120积分" });
    const english = await call(t, "GET", `/api/v1/payments/${payment_id}`, {
      token: u.access_token,
      headers: { "accept-language": "en" },
    });
    expect(english.body.data.product_name).toBe("120 credits");

    const done = await complete(payment_id);
    expect(done.body.data).toMatchObject({ callback_status: 200, status: "paid", fulfilled: true });
    expect(JSON.parse(done.body.data.callback_body)).toMatchObject({ code: "SUCCESS" });
    expect((await wallets(u.access_token)).credits.balance).toBe(120);
    const [entry] = await ledger(u.access_token);
    expect(entry).toMatchObject({
      type: "recharge",
      amount: 120,
      balance_after: 120,
      ref_type: "payment",
      ref_id: payment_id,
    });

    // The gateway delivering the same notification again (a retry) grants nothing more.
    const again = await complete(payment_id);
    expect(again.body.data.callback_status).toBe(200);
    expect((await wallets(u.access_token)).credits.balance).toBe(120);
    const outcomes = await queryRows<{ outcome: string }>(
      t.ctx.db,
      sql`select outcome from payment_notifications where payment_id = ${payment_id} order by received_at`,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(["fulfilled", "duplicate"]);
  });

  it("the cashier's 确认支付 redirects to the app's result page and pays", async () => {
    const u = await login(t);
    const { payment_id, pay_params } = (await buy(u.access_token, "credits_600")).body.data;
    const res = await t.app.inject({ method: "POST", url: `${pay_params.pay_url}/confirm` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/pay/result/${payment_id}`);
    expect((await wallets(u.access_token)).credits.balance).toBe(600);
  });

  it("取消 fails the order and grants nothing; the cashier no longer offers to pay", async () => {
    const u = await login(t);
    const { payment_id, pay_params } = (await buy(u.access_token, "credits_120")).body.data;
    const res = await t.app.inject({ method: "POST", url: `${pay_params.pay_url}/cancel` });
    expect(res.statusCode).toBe(303);
    const order = await call(t, "GET", `/api/v1/payments/${payment_id}`, { token: u.access_token });
    expect(order.body.data).toMatchObject({ status: "failed", fulfilled: false });
    expect((await wallets(u.access_token)).credits.balance).toBe(0);
    const page = await t.app.inject({ method: "GET", url: pay_params.pay_url });
    expect(page.body).not.toContain("确认支付");
    // A late "success" at the cashier cannot pay a decided order.
    expect((await complete(payment_id, "success")).body.data.status).toBe("failed");
    expect((await wallets(u.access_token)).credits.balance).toBe(0);
  });

  it("an Idempotency-Key retry returns the same order; another user's order is 404", async () => {
    const u = await login(t);
    const other = await login(t);
    const headers = { "idempotency-key": key() };
    const body = { product_id: "credits_120", pay_channel: "sandbox", client: "h5" };
    const first = await call(t, "POST", "/api/v1/payments/create", { token: u.access_token, body, headers });
    const second = await call(t, "POST", "/api/v1/payments/create", { token: u.access_token, body, headers });
    expect(second.body).toEqual(first.body);
    const list = await call(t, "GET", "/api/v1/payments/me", { token: u.access_token });
    expect(list.body.data.items).toHaveLength(1);
    const foreign = await call(t, "GET", `/api/v1/payments/${first.body.data.payment_id}`, {
      token: other.access_token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe(3003);
    expect((await complete(first.body.data.payment_id)).body.data.status).toBe("paid");
  });

  it("refuses an unknown product, a channel not offered and more than ¥10,000 in a Shanghai day", async () => {
    const u = await login(t);
    expect((await buy(u.access_token, "nope")).status).toBe(404);
    const wechat = await buy(u.access_token, "credits_120", "wechat");
    expect(wechat.status).toBe(422);
    expect(wechat.body.data.fields.pay_channel).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await buy(u.access_token, "credits_57600")).status).toBe(200);
    const over = await buy(u.access_token, "credits_57600");
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 3001, data: { limit_cny: "10000.00", used_cny: "8640.00" } });
    expect((await buy(u.access_token, "credits_12960")).status).toBe(200);
  });
});

describe("payments.query_pending", () => {
  it("closes an order left unpaid past its 15 minutes; the cashier can no longer pay it", async () => {
    const u = await login(t);
    const { payment_id, pay_params } = (await buy(u.access_token, "credits_120")).body.data;
    t.clock.advance(16 * 60_000);
    const run = await call(t, "POST", "/api/v1/dev/jobs/payments.query_pending/run", { body: {} });
    expect(run.body.data.status).toBe("done");
    const order = await call(t, "GET", `/api/v1/payments/${payment_id}`, { token: u.access_token });
    expect(order.body.data.status).toBe("closed");
    const paid = await t.app.inject({ method: "POST", url: `${pay_params.pay_url}/confirm` });
    expect(paid.statusCode).toBe(303);
    expect((await wallets(u.access_token)).credits.balance).toBe(0);
  });
});

describe("月卡", () => {
  it("buy, claim 30 once a day, a missed day is lost, buying again extends by 30 days", async () => {
    const u = await login(t);
    expect((await call(t, "GET", "/api/v1/subscriptions/me", { token: u.access_token })).body.data).toEqual({
      active_subscription: null,
    });
    const notYet = await call(t, "POST", "/api/v1/subscriptions/claim_daily", {
      token: u.access_token,
      body: {},
    });
    expect(notYet.status).toBe(409);
    const bought = await call(t, "POST", "/api/v1/subscriptions/buy", {
      token: u.access_token,
      body: { pay_channel: "sandbox" },
      headers: { "idempotency-key": key() },
    });
    expect(bought.body, JSON.stringify(bought.body)).toMatchObject({
      code: 0,
      data: { amount_cny: "29.00" },
    });
    await complete(bought.body.data.payment_id);
    const card = (await call(t, "GET", "/api/v1/subscriptions/me", { token: u.access_token })).body.data
      .active_subscription;
    expect(card).toMatchObject({ days_remaining: 30, today_claimed: false, daily_credits: 30 });

    const claim = await call(t, "POST", "/api/v1/subscriptions/claim_daily", {
      token: u.access_token,
      body: {},
    });
    expect(claim.body.data).toMatchObject({ credits: 30, balance_after: 30 });
    const twice = await call(t, "POST", "/api/v1/subscriptions/claim_daily", {
      token: u.access_token,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe(2003);
    expect(twice.body.data.next_claim_at).toBe("2026-12-01T16:00:00.000Z");
    expect((await ledger(u.access_token))[0]).toMatchObject({ type: "subscription_daily_bonus", amount: 30 });

    t.clock.advance(2 * DAY_MS); // a day skipped
    const later = await call(t, "POST", "/api/v1/subscriptions/claim_daily", {
      token: u.access_token,
      body: {},
    });
    expect(later.body.data.balance_after).toBe(60);
    const home = (await call(t, "GET", "/api/v1/me/home", { token: u.access_token })).body.data;
    expect(home.subscription).toMatchObject({ days_remaining: 28, today_claimed: true });

    const again = await call(t, "POST", "/api/v1/subscriptions/buy", {
      token: u.access_token,
      body: { pay_channel: "sandbox" },
      headers: { "idempotency-key": key() },
    });
    await complete(again.body.data.payment_id);
    const extended = (await call(t, "GET", "/api/v1/subscriptions/me", { token: u.access_token })).body.data;
    expect(extended.active_subscription.days_remaining).toBe(58);

    t.clock.advance(60 * DAY_MS);
    const expired = await call(t, "POST", "/api/v1/dev/jobs/subscriptions.expire/run", { body: {} });
    expect(expired.body.data).toMatchObject({
      status: "done",
      detail: "expired: 1, reminded of their end: 0",
    });
    const back = await login(t, u.phone); // the 7-day session ran out too
    expect(
      (await call(t, "GET", "/api/v1/subscriptions/me", { token: back.access_token })).body.data,
    ).toEqual({
      active_subscription: null,
    });
    t.clock.advance(-62 * DAY_MS);
  });
});

describe("推广员", () => {
  it("activation grants 600 and a code; an invitee gets 50; their payments earn the promoter 5 % pending 7 days", async () => {
    const promoter = await login(t);
    const activation = await call(t, "POST", "/api/v1/promoter/activate", {
      token: promoter.access_token,
      body: { pay_channel: "sandbox" },
      headers: { "idempotency-key": key() },
    });
    expect(activation.body.data.amount_cny).toBe("30.00");
    await complete(activation.body.data.payment_id);
    const me = (await call(t, "GET", "/api/v1/promoter/me", { token: promoter.access_token })).body.data;
    expect(me.is_promoter).toBe(true);
    expect(me.referral_code).toMatch(/^SKY\d{4}[A-Z2-9]{4}$/);
    expect((await wallets(promoter.access_token)).credits.balance).toBe(600);
    expect((await ledger(promoter.access_token))[0]).toMatchObject({
      type: "bonus",
      amount: 600,
      description: "成为推广员奖励",
    });
    const twice = await call(t, "POST", "/api/v1/promoter/activate", {
      token: promoter.access_token,
      body: { pay_channel: "sandbox" },
      headers: { "idempotency-key": key() },
    });
    expect(twice.status).toBe(409);

    const own = await call(t, "POST", "/api/v1/referrals/bind", {
      token: promoter.access_token,
      body: { code: me.referral_code },
    });
    expect(own.body.code).toBe(2004);

    // Registered with the code at first login.
    const phone = `137${String(Date.now()).slice(-8)}`;
    await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone } });
    await t.ctx.jobs.idle();
    const code = (await call(t, "GET", `/api/v1/dev/sms/outbox?phone=${phone}`)).body.data.items[0].code;
    const invitee = (
      await call(t, "POST", "/api/v1/auth/sms/verify", {
        body: { phone, code, referral_code: me.referral_code.toLowerCase() },
      })
    ).body.data;
    expect((await wallets(invitee.access_token)).credits.balance).toBe(50);
    expect((await ledger(invitee.access_token))[0]).toMatchObject({
      type: "bonus",
      amount: 50,
      description: "新用户邀请奖励",
    });
    const rebind = await call(t, "POST", "/api/v1/referrals/bind", {
      token: invitee.access_token,
      body: { code: me.referral_code },
    });
    expect(rebind.body.code).toBe(2007);

    const pack = await buy(invitee.access_token, "credits_600");
    await complete(pack.body.data.payment_id);
    const coins = (await wallets(promoter.access_token)).coins;
    expect(coins.pending).toBe("1.500");
    expect(coins.available).toBe("0.000");
    const lot = coins.pending_details[0];
    expect(lot.amount).toBe("1.500");
    expect(Math.abs(new Date(lot.unlock_at).getTime() - t.clock.now().getTime() - 7 * DAY_MS)).toBeLessThan(
      5_000,
    );
    const stats = (await call(t, "GET", "/api/v1/promoter/me", { token: promoter.access_token })).body.data
      .stats;
    expect(stats).toEqual({
      total_invites: 1,
      total_commission_coins: "1.500",
      pending_commission_coins: "1.500",
    });
    const invites = (await call(t, "GET", "/api/v1/promoter/invites", { token: promoter.access_token })).body
      .data.items;
    expect(invites).toMatchObject([{ user_id: invitee.user.user_id, commission_coins: "1.500" }]);
    const commissions = (
      await call(t, "GET", "/api/v1/promoter/commissions", { token: promoter.access_token })
    ).body.data.items;
    expect(commissions).toMatchObject([{ amount: "1.500", status: "pending", payment_amount_cny: "30.00" }]);
    expect((await ledger(promoter.access_token, "coins"))[0]).toMatchObject({
      type: "referral_commission_income",
      status: "pending",
    });
  });

  it("a late or unknown code is 2004 and changes nothing", async () => {
    const u = await login(t);
    const unknown = await call(t, "POST", "/api/v1/referrals/bind", {
      token: u.access_token,
      body: { code: "SKY2026ZZZZ" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe(2004);
    expect((await wallets(u.access_token)).credits.balance).toBe(0);
  });
});

describe("the ledger after every purchase", () => {
  it("reconciles", async () => {
    const report = await reconcile(t.ctx.db);
    expect(report.ok).toBe(true);
  });
});
