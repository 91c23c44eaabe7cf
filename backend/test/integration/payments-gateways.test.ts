import { createServer } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { queryPendingPayments } from "../../src/modules/payments/service.js";
import { type AlipayFake, startAlipayFake } from "../fakes/alipay.js";
import { startWechatPayFake, type WechatPayFake } from "../fakes/wechatpay.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

// The real channels against fakes that speak their wire protocols: the app listens on a real port and the
// fakes post their signed notifications to the notify_url our orders gave them.
let t: TestApp;
let wechat: WechatPayFake;
let alipay: AlipayFake;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

beforeAll(async () => {
  [wechat, alipay] = await Promise.all([startWechatPayFake(), startAlipayFake()]);
  const port = await freePort();
  t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      PAY_CHANNELS: "wechat,alipay",
      ...wechat.providerConfig,
      ...alipay.providerConfig,
    },
  });
  await t.app.listen({ port, host: "127.0.0.1" });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([wechat?.close(), alipay?.close()]);
});

const credits = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
const status = async (token: string, id: string) =>
  (await call(t, "GET", `/api/v1/payments/${id}`, { token })).body.data.status as string;
const notificationsOf = (paymentId: string | null, channel: string) =>
  queryRows<{ outcome: string; reason: string | null }>(
    t.ctx.db,
    paymentId
      ? sql`select outcome, reason from payment_notifications where payment_id = ${paymentId} order by received_at`
      : sql`select outcome, reason from payment_notifications where payment_id is null and channel = ${channel} order by received_at`,
  );

async function order(token: string, channel: "wechat" | "alipay", client: "app" | "h5" = "app") {
  const res = await call(t, "POST", "/api/v1/payments/create", {
    token,
    body: { product_id: "credits_120", pay_channel: channel, client },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const id: string = res.body.data.payment_id;
  return {
    id,
    outTradeNo: id.replaceAll("-", ""),
    payParams: res.body.data.pay_params as Record<string, string>,
  };
}

/** Backdates an order so the query job no longer leaves it to its callback (and, with `expired`, past 15 min). */
const age = (id: string, expired = false) =>
  t.ctx.db.execute(
    expired
      ? sql`update payment_orders set created_at = created_at - interval '20 minutes', expire_at = now() - interval '1 minute' where id = ${id}`
      : sql`update payment_orders set created_at = created_at - interval '1 minute' where id = ${id}`,
  );

describe("WeChat Pay v3", () => {
  it("APP prepay at the gateway, a signed encrypted notification fulfils once, a retry grants nothing", async () => {
    const u = await login(t);
    const { id, outTradeNo, payParams } = await order(u.access_token, "wechat");
    expect(payParams).toMatchObject({ partnerid: wechat.mchId, package: "Sign=WXPay" });
    expect(wechat.orders.get(outTradeNo)?.amountFen).toBe(600);
    const deliveries = await wechat.pay(outTradeNo);
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    expect(await credits(u.access_token)).toBe(120);
    const delivered = wechat.deliveries.at(-1)?.rawBody;
    expect(delivered).toContain("TRANSACTION.SUCCESS");
    const replay = await wechat.sendNotify(outTradeNo, { body: delivered });
    expect(replay.status).toBe(200);
    expect(await credits(u.access_token)).toBe(120);
    expect((await notificationsOf(id, "wechat")).map((n) => n.outcome)).toEqual(["fulfilled", "duplicate"]);
  });

  it("20 concurrent duplicate notifications fulfil once", async () => {
    const u = await login(t);
    const { id, outTradeNo } = await order(u.access_token, "wechat");
    wechat.payWithoutNotify(outTradeNo);
    const answers = await Promise.all(Array.from({ length: 20 }, () => wechat.sendNotify(outTradeNo)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await credits(u.access_token)).toBe(120);
    const outcomes = (await notificationsOf(id, "wechat")).map((n) => n.outcome);
    expect(outcomes.filter((o) => o === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(19);
  });

  it("H5 prepay returns the h5_url with our return page and pays under the 公众号 AppID", async () => {
    const u = await login(t);
    const { id, payParams } = await order(u.access_token, "wechat", "h5");
    expect(payParams.h5_url).toContain("redirect_url=");
    expect(decodeURIComponent(payParams.h5_url ?? "")).toContain(`/pay/result/${id}`);
    // H5 runs under the 公众号's AppID: its notification is ours too.
    const outTradeNo = id.replaceAll("-", "");
    expect(wechat.orders.get(outTradeNo)?.appid).toBe(wechat.webAppId);
    expect((await wechat.pay(outTradeNo)).map((d) => d.status)).toEqual([200]);
    expect(await credits(u.access_token)).toBe(120);
  });

  it("refuses a bad signature, a probe, a stale timestamp and a tampered ciphertext: 4xx, nothing granted", async () => {
    const u = await login(t);
    const { id, outTradeNo } = await order(u.access_token, "wechat");
    for (const overrides of [
      { badSignature: true },
      { probe: true },
      { timestampOffsetS: -301 },
      { tamperCiphertext: true },
    ]) {
      const res = await wechat.sendNotify(outTradeNo, overrides);
      expect(res.status, JSON.stringify(overrides)).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: "FAIL" });
    }
    expect(await credits(u.access_token)).toBe(0);
    expect(await status(u.access_token, id)).toBe("pending");
    const refused = await queryRows<{ reason: string }>(
      t.ctx.db,
      sql`select reason from payment_notifications where channel = 'wechat' and outcome = 'rejected' and raw_body like ${`%`}
          order by received_at desc limit 4`,
    );
    expect(refused.map((r) => r.reason).sort()).toEqual([
      "bad_signature",
      "bad_signature",
      "malformed",
      "stale",
    ]);
  });

  it("a valid signature with an amount one fen off, another app id or merchant grants nothing; the query job fulfils the real payment", async () => {
    const u = await login(t);
    const { id, outTradeNo } = await order(u.access_token, "wechat");
    for (const overrides of [{ amountFen: 599 }, { appid: "wx0000000000000000" }, { mchid: "1999999999" }]) {
      const res = await wechat.sendNotify(outTradeNo, overrides);
      expect(res.status).toBe(400);
    }
    expect(await credits(u.access_token)).toBe(0);
    expect(await status(u.access_token, id)).toBe("pending");
    const reasons = (await notificationsOf(id, "wechat")).map((n) => `${n.outcome}:${n.reason}`);
    expect(reasons).toEqual(["rejected:mismatch", "rejected:mismatch", "rejected:mismatch"]);

    wechat.payWithoutNotify(outTradeNo); // paid; its notification is lost
    await age(id);
    const summary = await queryPendingPayments(t.ctx);
    expect(summary.fulfilled).toBeGreaterThanOrEqual(1);
    expect(await status(u.access_token, id)).toBe("paid");
    expect(await credits(u.access_token)).toBe(120);
  });

  it("an order past 15 minutes is closed at the gateway and here; a notification after the close grants nothing", async () => {
    const u = await login(t);
    const { id, outTradeNo } = await order(u.access_token, "wechat");
    await age(id, true);
    await queryPendingPayments(t.ctx);
    expect(wechat.orders.get(outTradeNo)?.tradeState).toBe("CLOSED");
    expect(await status(u.access_token, id)).toBe("closed");
    const late = await wechat.sendNotify(outTradeNo);
    expect(late.status).toBe(200); // acknowledged so the gateway stops, but refused and logged
    expect(await credits(u.access_token)).toBe(0);
    expect((await notificationsOf(id, "wechat")).at(-1)).toEqual({ outcome: "rejected", reason: "late" });
  });

  it("our non-success answer makes the gateway retry; the retry fulfils", async () => {
    const u = await login(t);
    const { outTradeNo } = await order(u.access_token, "wechat");
    // Take the database away for the first delivery: the callback answers 5xx, WeChat retries.
    const original = t.ctx.pay.providers.get("wechat");
    if (!original) throw new Error("no wechat provider");
    let first = true;
    const flaky = Object.create(original) as typeof original;
    flaky.verifyNotify = (req, now) => {
      if (first) {
        first = false;
        throw new Error("transient failure");
      }
      return original.verifyNotify(req, now);
    };
    t.ctx.pay.providers.set("wechat", flaky);
    try {
      const deliveries = await wechat.pay(outTradeNo);
      expect(deliveries.map((d) => d.status)).toEqual([500, 200]);
    } finally {
      t.ctx.pay.providers.set("wechat", original);
    }
    expect(await credits(u.access_token)).toBe(120);
  });
});

describe("Alipay", () => {
  it("APP order string verified by the gateway; the RSA2 notify fulfils once and is answered `success`", async () => {
    const u = await login(t);
    const { id, outTradeNo, payParams } = await order(u.access_token, "alipay");
    alipay.acceptOrderString(payParams.order_string ?? "");
    expect(await alipay.pay(outTradeNo)).toBe("success");
    expect(await credits(u.access_token)).toBe(120);
    const first = alipay.notifications.at(-1);
    const replay = await alipay.deliverRaw(first?.url ?? "", first?.rawBody ?? "");
    expect(replay.body).toBe("success");
    expect(await credits(u.access_token)).toBe(120);
    expect((await notificationsOf(id, "alipay")).map((n) => n.outcome)).toEqual(["fulfilled", "duplicate"]);
  });

  it("WAP pay URL; a tampered, mismatched or foreign notify grants nothing; TRADE_FINISHED counts as paid", async () => {
    const u = await login(t);
    const { id, outTradeNo, payParams } = await order(u.access_token, "alipay", "h5");
    alipay.acceptPayUrl(payParams.pay_url ?? "");
    expect(await alipay.sendNotify(outTradeNo, undefined, { badSignature: true })).toBe("fail");
    expect(await alipay.sendNotify(outTradeNo, undefined, { total_amount: "5.99" })).toBe("fail");
    expect(await alipay.sendNotify(outTradeNo, undefined, { app_id: "2021999999999999" })).toBe("fail");
    expect(await alipay.sendNotify(outTradeNo, undefined, { seller_id: "2088999999999999" })).toBe("fail");
    expect(await credits(u.access_token)).toBe(0);
    expect(await status(u.access_token, id)).toBe("pending");
    expect(await alipay.pay(outTradeNo, undefined, { trade_status: "TRADE_FINISHED" })).toBe("success");
    expect(await credits(u.access_token)).toBe(120);
  });

  it("a lost notify is recovered by alipay.trade.query; an expired order is closed", async () => {
    const u = await login(t);
    const lost = await order(u.access_token, "alipay");
    alipay.acceptOrderString(lost.payParams.order_string ?? "");
    const trade = alipay.trades.get(lost.outTradeNo);
    if (trade) trade.tradeStatus = "TRADE_SUCCESS";
    const expiring = await order(u.access_token, "alipay");
    await age(lost.id);
    await age(expiring.id, true);
    await queryPendingPayments(t.ctx);
    expect(await status(u.access_token, lost.id)).toBe("paid");
    expect(await status(u.access_token, expiring.id)).toBe("closed");
    expect(await credits(u.access_token)).toBe(120);
  });
});

describe("after every gateway case", () => {
  it("the ledger reconciles", async () => {
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
