import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { sandboxPayTrades } from "../../src/db/schema/index.js";
import { queryPendingPayments } from "../../src/modules/payments/service.js";
import type { NotifyDelivery } from "../../src/providers/pay/index.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { ledgerCheck } from "../helpers/ledger.js";

// Real PostgreSQL only: notifications and query runs that really race. The sandbox channel signs and
// encrypts exactly like WeChat Pay v3 and runs the same verification code.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Lets the sandbox gateway decide a payment but keeps its notification instead of delivering it. */
async function payAndCapture(paymentId: string): Promise<Captured> {
  let captured: Captured | null = null;
  const keep: NotifyDelivery = async (url, headers, body) => {
    captured = { url, headers, body };
    return { status: 599, body: "captured" };
  };
  const [order] = await queryRows<{ out_trade_no: string }>(
    t.ctx.db,
    sql`select out_trade_no from payment_orders where id = ${paymentId}`,
  );
  await t.ctx.pay.sandbox?.complete(order?.out_trade_no ?? "", "success", keep);
  if (!captured) throw new Error("no notification captured");
  return captured;
}

const deliver = (n: Captured) =>
  t.app.inject({ method: "POST", url: new URL(n.url).pathname, headers: n.headers, payload: n.body });

const one = async <T>(q: ReturnType<typeof sql>) => (await queryRows<T>(t.ctx.db, q))[0] as T;

async function openOrder(token: string, productId = "credits_120"): Promise<string> {
  const res = await call(t, "POST", "/api/v1/payments/create", {
    token,
    body: { product_id: productId, pay_channel: "sandbox" },
  });
  expect(res.status).toBe(200);
  return res.body.data.payment_id;
}

const credits = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;

describe("payment fulfilment under concurrency (real PostgreSQL)", () => {
  it("20 concurrent duplicate notifications: one fulfilment, one recharge, one commission", async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const promoter = await login(t);
    const activation = await openOrder(promoter.access_token, "promoter_activation");
    await call(t, "POST", `/api/v1/dev/payments/${activation}/complete`, { body: { result: "success" } });
    const code = (await call(t, "GET", "/api/v1/promoter/me", { token: promoter.access_token })).body.data
      .referral_code;
    const buyer = await login(t);
    expect(
      (await call(t, "POST", "/api/v1/referrals/bind", { token: buyer.access_token, body: { code } })).status,
    ).toBe(200);

    const paymentId = await openOrder(buyer.access_token);
    const notification = await payAndCapture(paymentId);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(notification)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);

    expect(await credits(buyer.access_token)).toBe(50 + 120);
    const keys = await queryRows<{ business_key: string }>(
      t.ctx.db,
      sql`select business_key from ledger_transactions where ref_type = 'payment' and ref_id = ${paymentId} order by 1`,
    );
    expect(keys.map((k) => k.business_key)).toEqual([
      `payment:${paymentId}:commission`,
      `payment:${paymentId}:fulfil`,
    ]);
    const log = await queryRows<{ outcome: string; n: number }>(
      t.ctx.db,
      sql`select outcome, count(*)::int as n from payment_notifications where payment_id = ${paymentId} group by 1 order by 1`,
    );
    expect(log).toEqual([
      { outcome: "duplicate", n: 19 },
      { outcome: "fulfilled", n: 1 },
    ]);
    const pending = (await call(t, "GET", "/api/v1/me/wallets", { token: promoter.access_token })).body.data
      .coins.pending;
    expect(pending).toBe("0.300");
  });

  it("a notification racing the query job fulfils once", async () => {
    const buyer = await login(t);
    const paymentId = await openOrder(buyer.access_token);
    const notification = await payAndCapture(paymentId);
    // The order must be past the query job's grace period for the job to ask the gateway.
    await t.ctx.db.execute(
      sql`update payment_orders set created_at = created_at - interval '1 minute' where id = ${paymentId}`,
    );
    const [answer, summary] = await Promise.all([
      deliver(notification),
      queryPendingPayments(t.ctx),
      deliver(notification),
    ]);
    expect(answer.statusCode).toBe(200);
    expect(summary.errors).toBe(0);
    expect(await credits(buyer.access_token)).toBe(120);
    const fulfilments = await one<{ n: number }>(
      sql`select count(*)::int as n from payment_notifications where payment_id = ${paymentId} and outcome = 'fulfilled'`,
    );
    expect(fulfilments.n).toBe(1);
  });

  it("a lost notification is recovered by the query job; expiry racing a payment never grants twice", async () => {
    const buyer = await login(t);
    const lost = await openOrder(buyer.access_token);
    await payAndCapture(lost); // paid at the gateway, the notification never arrives
    const expiring = await openOrder(buyer.access_token);
    await t.ctx.db.execute(
      sql`update payment_orders set created_at = created_at - interval '20 minutes', expire_at = now() - interval '5 minutes' where id in (${lost}, ${expiring})`,
    );
    await t.ctx.db.update(sandboxPayTrades).set({ expireAt: new Date(Date.now() - 60_000) });
    const runs = await Promise.all([queryPendingPayments(t.ctx), queryPendingPayments(t.ctx)]);
    expect(runs.reduce((n, r) => n + r.fulfilled, 0)).toBe(1);
    const status = async (id: string) =>
      (await call(t, "GET", `/api/v1/payments/${id}`, { token: buyer.access_token })).body.data.status;
    expect(await status(lost)).toBe("paid");
    expect(await status(expiring)).toBe("closed");
    expect(await credits(buyer.access_token)).toBe(120);
  });

  it("leaves a clean ledger:check", async () => {
    const out = await ledgerCheck(t.databaseUrl as string);
    expect(out).toContain("ledger OK");
  });
});
