import { createPrivateKey, createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/env.js";
import type { PrepayOrder } from "../../src/providers/pay/types.js";
import { PayGatewayError } from "../../src/providers/pay/types.js";
import { type WechatPayOptions, WechatPayProvider } from "../../src/providers/pay/wechat.js";
import { startWechatPayFake, type WechatPayFake } from "../fakes/wechatpay.js";

interface Received {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** A notify_url: records what arrives and answers with the next queued status (default 200). */
async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString("utf8") });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? '{"code":"SUCCESS"}' : '{"code":"FAIL","message":"失败"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments/callback/wechat`;
  return { url, received, statuses, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let fake: WechatPayFake;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let counter = 0;

beforeAll(async () => {
  fake = await startWechatPayFake({ retryDelaysMs: [20, 20, 20], slowMs: 1500 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.statuses.length = 0;
  fake.deliveries.length = 0;
});

function provider(over: Partial<WechatPayOptions> = {}): WechatPayProvider {
  return new WechatPayProvider({
    baseUrl: fake.baseUrl,
    appId: fake.appId,
    mchId: fake.mchId,
    serialNo: fake.merchantSerialNo,
    privateKeyPem: fake.merchantPrivateKeyPem,
    apiV3Key: fake.apiV3Key,
    platformKeys: { [fake.platformPublicKeyId]: fake.platformPublicKeyPem },
    timeoutMs: 1000,
    ...over,
  });
}

function order(over: Partial<PrepayOrder> = {}): PrepayOrder {
  counter += 1;
  return {
    outTradeNo: `${Date.now().toString(16)}${String(counter).padStart(4, "0")}`.padEnd(32, "0"),
    amountFen: 600,
    description: "SkyRiff 积分包",
    client: "app",
    expireAt: new Date(Date.now() + 15 * 60_000),
    payerIp: "203.0.113.7",
    notifyUrl: receiver.url,
    returnUrl: "https://skyriff.example/pay/return?payment=1&x=y",
    ...over,
  };
}

const merchantVerifies = (message: string, signature: string) =>
  createVerify("RSA-SHA256").update(message).verify(fake.merchantPublicKeyPem, signature, "base64");

async function rejection(promise: Promise<unknown>): Promise<PayGatewayError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayGatewayError);
  return err as PayGatewayError;
}

const beijing = (at: Date) => `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

describe("WeChat Pay prepay against the fake", () => {
  it("APP: the fake accepts our signed request; the client params carry a merchant-key sign", async () => {
    const o = order({ client: "app" });
    const params = await provider().prepay(o);
    const stored = fake.orders.get(o.outTradeNo);
    expect(stored).toMatchObject({ kind: "app", amountFen: 600, notifyUrl: receiver.url, appid: fake.appId });
    expect(stored?.timeExpire).toBe(beijing(o.expireAt));
    expect(JSON.parse(stored?.requestBody ?? "{}").amount).toEqual({ total: 600, currency: "CNY" });
    expect(params).toMatchObject({
      appid: fake.appId,
      partnerid: fake.mchId,
      prepayid: stored?.prepayId,
      package: "Sign=WXPay",
    });
    expect(params.timestamp).toMatch(/^\d{10}$/);
    const signed = `${params.appid}\n${params.timestamp}\n${params.noncestr}\n${params.prepayid}\n`;
    expect(merchantVerifies(signed, params.sign ?? "")).toBe(true);
    expect(merchantVerifies(signed.replace(params.prepayid ?? "", "wx-other"), params.sign ?? "")).toBe(
      false,
    );
  });

  it("H5: sends scene_info and returns h5_url with the url-encoded redirect_url", async () => {
    const o = order({ client: "h5" });
    const params = await provider().prepay(o);
    const stored = fake.orders.get(o.outTradeNo);
    expect(stored).toMatchObject({ kind: "h5", payerClientIp: "203.0.113.7" });
    expect(JSON.parse(stored?.requestBody ?? "{}").scene_info).toEqual({
      payer_client_ip: "203.0.113.7",
      h5_info: { type: "Wap" },
    });
    const url = new URL(params.h5_url ?? "");
    expect(url.searchParams.get("prepay_id")).toBe(stored?.prepayId);
    expect(url.searchParams.get("redirect_url")).toBe(o.returnUrl);
    expect(params.h5_url).toContain(`&redirect_url=${encodeURIComponent(o.returnUrl)}`);
  });

  it("JSAPI: sends payer.openid; paySign verifies over appId, timeStamp, nonceStr, package", async () => {
    const o = order({ client: "jsapi", payerOpenid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" });
    const params = await provider({ webAppId: fake.webAppId }).prepay(o);
    const stored = fake.orders.get(o.outTradeNo);
    expect(stored?.payerOpenid).toBe("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    expect(stored?.appid).toBe(fake.webAppId); // the 公众号's AppID, not the mobile app's
    expect(params).toMatchObject({
      appId: fake.webAppId,
      package: `prepay_id=${stored?.prepayId}`,
      signType: "RSA",
    });
    const signed = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    expect(merchantVerifies(signed, params.paySign ?? "")).toBe(true);
    expect(merchantVerifies(signed.replace(params.nonceStr ?? "", "x"), params.paySign ?? "")).toBe(false);
  });

  it("JSAPI without an openid fails clearly, before calling WeChat", async () => {
    const before = fake.requests.length;
    await expect(provider().prepay(order({ client: "jsapi", payerOpenid: null }))).rejects.toThrow(/openid/);
    expect(fake.requests.length).toBe(before);
  });

  it("truncates the description to 127 characters", async () => {
    const o = order({ description: "天".repeat(200) });
    await provider().prepay(o);
    expect(fake.orders.get(o.outTradeNo)?.description).toBe("天".repeat(127));
  });

  it("a request signed with another merchant key is refused by the fake (401 SIGN_ERROR, not retryable)", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p = provider({ privateKeyPem: stranger.export({ type: "pkcs8", format: "pem" }).toString() });
    const err = await rejection(p.prepay(order()));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("SIGN_ERROR");
    expect(fake.requests.at(-1)).toMatchObject({ status: 401, code: "SIGN_ERROR" });
  });

  it("a 4xx from WeChat is not retryable and names WeChat's code", async () => {
    const err = await rejection(provider().prepay(order({ outTradeNo: "bad no!" })));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("PARAM_ERROR");
  });
});

describe("WeChat Pay query and close", () => {
  it("query: NOTPAY → pending, SUCCESS → paid, unknown → null", async () => {
    const p = provider();
    const o = order();
    await p.prepay(o);
    expect(await p.query(o.outTradeNo)).toMatchObject({
      state: "pending",
      rawState: "NOTPAY",
      amountFen: 600,
    });
    fake.payWithoutNotify(o.outTradeNo);
    const paid = await p.query(o.outTradeNo);
    const stored = fake.orders.get(o.outTradeNo);
    expect(paid).toMatchObject({
      outTradeNo: o.outTradeNo,
      gatewayTradeNo: stored?.transactionId,
      state: "paid",
      rawState: "SUCCESS",
      amountFen: 600,
      currency: "CNY",
      appId: fake.appId,
      merchantId: fake.mchId,
    });
    expect(paid?.paidAt?.getTime()).toBe(new Date(stored?.successTime ?? "").getTime());
    expect(await p.query("never_opened_0001")).toBeNull();
  });

  it("close: 204 closes; closing again, or an order WeChat never saw, is fine", async () => {
    const p = provider();
    const o = order();
    await p.prepay(o);
    await p.close(o.outTradeNo);
    expect(fake.orders.get(o.outTradeNo)?.tradeState).toBe("CLOSED");
    expect(await p.query(o.outTradeNo)).toMatchObject({ state: "closed", rawState: "CLOSED" });
    await p.close(o.outTradeNo);
    await p.close("never_opened_0002");
  });

  it("close of a paid order throws (not retryable): the caller must fulfil, not close", async () => {
    const p = provider();
    const o = order();
    await p.prepay(o);
    fake.payWithoutNotify(o.outTradeNo);
    const err = await rejection(p.close(o.outTradeNo));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/already paid/);
  });
});

describe("WeChat Pay response verification and transport errors", () => {
  let o: PrepayOrder;
  beforeAll(async () => {
    o = order();
    await provider().prepay(o);
  });

  it.each(["bad_signature", "no_signature", "stale_signature", "unknown_serial"] as const)(
    "a 2xx response with %s is refused, not trusted",
    async (fault) => {
      fake.failNext(fault);
      const err = await rejection(provider().query(o.outTradeNo));
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/signature/);
    },
  );

  it("a prepay answer with a forged signature is refused too", async () => {
    fake.failNext("bad_signature");
    const err = await rejection(provider().prepay(order()));
    expect(err.message).toMatch(/signature does not verify/);
  });

  it("a signed 404 ORDER_NOT_EXIST whose signature is broken is refused, not read as 'unknown order'", async () => {
    fake.failNext("bad_signature");
    const err = await rejection(provider().query("never_opened_0003"));
    expect(err.retryable).toBe(false);
  });

  it("5xx → retryable", async () => {
    fake.failNext("5xx");
    const err = await rejection(provider().query(o.outTradeNo));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("500");
  });

  it("a timeout → retryable", async () => {
    fake.failNext("slow");
    const started = Date.now();
    const err = await rejection(provider({ timeoutMs: 200 }).query(o.outTradeNo));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it("a dropped connection and a refused connection → retryable", async () => {
    fake.failNext("reset");
    expect((await rejection(provider().query(o.outTradeNo))).retryable).toBe(true);
    const nowhere = provider({ baseUrl: "http://127.0.0.1:1" });
    expect((await rejection(nowhere.query(o.outTradeNo))).retryable).toBe(true);
  });
});

describe("WeChat Pay notifications", () => {
  const lastReceived = () => {
    const r = receiver.received.at(-1);
    if (!r) throw new Error("nothing received");
    return { headers: r.headers, rawBody: r.rawBody };
  };

  async function paidOrder(): Promise<PrepayOrder> {
    const o = order({ amountFen: 1234 });
    await provider().prepay(o);
    return o;
  }

  it("a real notification from the fake verifies and decrypts into the trade", async () => {
    const o = await paidOrder();
    const attempts = await fake.pay(o.outTradeNo);
    expect(attempts).toEqual([{ status: 200, body: '{"code":"SUCCESS"}' }]);
    const req = lastReceived();
    const verdict = provider().verifyNotify(req, new Date());
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    const stored = fake.orders.get(o.outTradeNo);
    expect(verdict.eventType).toBe("TRANSACTION.SUCCESS");
    expect(verdict.eventId).toBe(JSON.parse(req.rawBody).id);
    expect(verdict.trade).toMatchObject({
      outTradeNo: o.outTradeNo,
      gatewayTradeNo: stored?.transactionId,
      state: "paid",
      amountFen: 1234,
      currency: "CNY",
      appId: fake.appId,
      merchantId: fake.mchId,
    });
    expect(verdict.trade.paidAt).toBeInstanceOf(Date);
  });

  it("a non-2xx answer makes the fake retry until a 2xx", async () => {
    const o = await paidOrder();
    receiver.statuses.push(500, 400);
    const attempts = await fake.pay(o.outTradeNo);
    expect(attempts.map((a) => a.status)).toEqual([500, 400, 200]);
    expect(new Set(receiver.received.map((r) => r.rawBody)).size).toBe(1);
  });

  it("changing one byte of the body breaks the signature", async () => {
    const o = await paidOrder();
    await fake.pay(o.outTradeNo);
    const req = lastReceived();
    const tampered = {
      headers: req.headers,
      rawBody: req.rawBody.replace('"summary":"支付成功"', '"summary":"支付成功 "'),
    };
    expect(provider().verifyNotify(tampered, new Date())).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it.each([
    ["badSignature", { badSignature: true }, "bad_signature"],
    ["a WECHATPAY/SIGNTEST/ probe", { probe: true }, "bad_signature"],
    ["a timestamp 301 s old", { timestampOffsetS: -301 }, "stale"],
    ["a timestamp 301 s ahead", { timestampOffsetS: 301 }, "stale"],
    ["a tampered ciphertext", { tamperCiphertext: true }, "malformed"],
  ] as const)("%s is rejected", async (_name, overrides, reason) => {
    const o = await paidOrder();
    fake.payWithoutNotify(o.outTradeNo);
    const sent = await fake.sendNotify(o.outTradeNo, overrides);
    expect(sent.status).toBe(200);
    const req = lastReceived();
    expect(req.rawBody).toBe(sent.rawBody);
    expect(provider().verifyNotify(req, new Date())).toMatchObject({ ok: false, reason });
  });

  it("a timestamp 299 s old still verifies", async () => {
    const o = await paidOrder();
    await fake.sendNotify(o.outTradeNo, { timestampOffsetS: -299 });
    expect(provider().verifyNotify(lastReceived(), new Date()).ok).toBe(true);
  });

  it("the platform key must be the one named by Wechatpay-Serial", async () => {
    const o = await paidOrder();
    await fake.sendNotify(o.outTradeNo);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const p = provider({
      platformKeys: { [fake.platformPublicKeyId]: other.export({ type: "spki", format: "pem" }).toString() },
    });
    expect(p.verifyNotify(lastReceived(), new Date())).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("a replay carries the same body and headers: it verifies inside 300 s, and is stale after", async () => {
    const o = await paidOrder();
    await fake.pay(o.outTradeNo);
    const first = lastReceived();
    const replay = await fake.sendNotify(o.outTradeNo, { body: first.rawBody });
    expect(replay.rawBody).toBe(first.rawBody);
    expect(lastReceived().headers["wechatpay-signature"]).toBe(first.headers["wechatpay-signature"]);
    expect(provider().verifyNotify(lastReceived(), new Date()).ok).toBe(true);
    expect(provider().verifyNotify(lastReceived(), new Date(Date.now() + 301_000))).toMatchObject({
      ok: false,
      reason: "stale",
    });
  });

  it("a signed notification with a wrong amount verifies: the amount is the payment core's check", async () => {
    const o = await paidOrder();
    fake.payWithoutNotify(o.outTradeNo);
    await fake.sendNotify(o.outTradeNo, { amountFen: 1 });
    const verdict = provider().verifyNotify(lastReceived(), new Date());
    expect(verdict.ok && verdict.trade.amountFen).toBe(1);
  });

  it("answers 200 to accept and 4xx FAIL to ask for a retry", () => {
    expect(provider().answer(true).status).toBe(200);
    const refused = provider().answer(false);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(refused.body).code).toBe("FAIL");
  });
});

describe("WechatPayProvider.fromConfig", () => {
  const config = (over: Record<string, unknown> = {}) =>
    ({ ...fake.providerConfig, PAY_HTTP_TIMEOUT_MS: 1000, ...over }) as unknown as AppConfig;

  it("builds a working provider from the env-style settings, PEMs with literal \\n included", async () => {
    const escaped = (pem: string) => pem.replace(/\n/g, "\\n");
    const p = WechatPayProvider.fromConfig(
      config({
        WECHATPAY_PRIVATE_KEY: escaped(fake.providerConfig.WECHATPAY_PRIVATE_KEY),
        WECHATPAY_PLATFORM_PUBLIC_KEY: escaped(fake.providerConfig.WECHATPAY_PLATFORM_PUBLIC_KEY),
      }),
    );
    expect(p.channel).toBe("wechat");
    expect(p.appId).toBe(fake.appId);
    expect(p.merchantId).toBe(fake.mchId);
    const o = order();
    await p.prepay(o);
    expect(await p.query(o.outTradeNo)).toMatchObject({ state: "pending" });
    expect(createPrivateKey(fake.providerConfig.WECHATPAY_PRIVATE_KEY).asymmetricKeyType).toBe("rsa");
  });

  it("names the missing settings", () => {
    expect(() => WechatPayProvider.fromConfig(config({ WECHATPAY_API_V3_KEY: undefined }))).toThrow(
      /WECHATPAY_API_V3_KEY/,
    );
  });
});
