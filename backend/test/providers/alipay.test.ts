import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/env.js";
import {
  type AlipayOptions,
  AlipayProvider,
  beijingTime,
  fenToYuan,
  parseBeijingTime,
  yuanToFen,
} from "../../src/providers/pay/alipay.js";
import type { NotifyRequest, PrepayOrder } from "../../src/providers/pay/types.js";
import { PayGatewayError } from "../../src/providers/pay/types.js";
import { type AlipayFake, startAlipayFake } from "../fakes/alipay.js";

/** A notify_url that records each raw body and answers with what the provider's answer() says. */
async function startReceiver(answer: (rawBody: string) => string) {
  const received: NotifyRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, rawBody });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(answer(rawBody));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments/callback/alipay`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let fake: AlipayFake;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let counter = 0;

beforeAll(async () => {
  fake = await startAlipayFake({ slowMs: 3000 });
  receiver = await startReceiver((rawBody) => {
    const p = provider();
    return p.answer(p.verifyNotify({ headers: {}, rawBody }, new Date()).ok).body;
  });
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});

function provider(over: Partial<AlipayOptions> = {}): AlipayProvider {
  return new AlipayProvider({
    gateway: fake.gateway,
    appId: fake.appId,
    sellerId: fake.sellerId,
    privateKeyPem: fake.appPrivateKeyPem,
    alipayPublicKeyPem: fake.alipayPublicKeyPem,
    timeoutMs: 1000,
    ...over,
  });
}

function order(over: Partial<PrepayOrder> = {}): PrepayOrder {
  counter += 1;
  return {
    outTradeNo: `${Date.now().toString(16)}${String(counter).padStart(4, "0")}`.padEnd(32, "0"),
    amountFen: 600,
    description: "SkyRiff 积分包 100% & more + 更多=好",
    client: "app",
    expireAt: new Date(Date.now() + 15 * 60_000),
    payerIp: "203.0.113.7",
    notifyUrl: receiver.url,
    returnUrl: "https://skyriff.example/pay/return?payment=1&x=y",
    ...over,
  };
}

async function rejection(promise: Promise<unknown>): Promise<PayGatewayError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayGatewayError);
  return err as PayGatewayError;
}

/** Opens an APP order at the fake the way the Alipay app would: by verifying our order string. */
async function openedOrder(over: Partial<PrepayOrder> = {}): Promise<PrepayOrder> {
  const o = order(over);
  const params = await provider().prepay(o);
  fake.acceptOrderString(params.order_string ?? "");
  return o;
}

const lastReceived = (): NotifyRequest => {
  const r = receiver.received.at(-1);
  if (!r) throw new Error("nothing received");
  return r;
};

describe("yuan ↔ fen", () => {
  it.each([
    ["0.01", 1],
    ["6", 600],
    ["6.5", 650],
    ["6.00", 600],
    ["0", 0],
    ["1234567.89", 123456789],
  ])("%s → %i", (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each([
    "6.001",
    "-1",
    "1e3",
    " 6",
    "6 ",
    "6.",
    ".5",
    "06",
    "",
    "6,00",
    "+6",
    "0x10",
    "6.0.0",
    "Infinity",
  ])("rejects %j", (yuan) => {
    expect(yuanToFen(yuan)).toBeNull();
  });

  it("formats fen with two decimals, integers only", () => {
    expect(fenToYuan(1)).toBe("0.01");
    expect(fenToYuan(600)).toBe("6.00");
    expect(fenToYuan(12345)).toBe("123.45");
    expect(fenToYuan(3000)).toBe("30.00");
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => fenToYuan(bad)).toThrow();
  });

  it("Beijing time both ways", () => {
    const at = new Date("2026-03-01T16:30:05Z");
    expect(beijingTime(at)).toBe("2026-03-02 00:30:05");
    expect(parseBeijingTime("2026-03-02 00:30:05")?.getTime()).toBe(at.getTime());
    expect(parseBeijingTime("2026-03-02T00:30:05")).toBeUndefined();
  });
});

describe("Alipay prepay", () => {
  it("APP: an order string the fake verifies with our app public key", async () => {
    const o = order({ amountFen: 600 });
    const params = await provider().prepay(o);
    const trade = fake.acceptOrderString(params.order_string ?? "");
    expect(trade).toMatchObject({
      outTradeNo: o.outTradeNo,
      totalAmount: "6.00",
      subject: o.description,
      productCode: "QUICK_MSECURITY_PAY",
      notifyUrl: receiver.url,
      timeExpire: beijingTime(o.expireAt),
      tradeStatus: "WAIT_BUYER_PAY",
    });
    const sent = new URLSearchParams(params.order_string);
    expect(sent.get("method")).toBe("alipay.trade.app.pay");
    expect(sent.get("sign_type")).toBe("RSA2");
    // Beijing time, whatever the process's zone is.
    const skew = Math.abs((parseBeijingTime(sent.get("timestamp") ?? "")?.getTime() ?? 0) - Date.now());
    expect(skew).toBeLessThan(60_000);
  });

  it("APP: the fake refuses an order string whose amount was changed after signing", async () => {
    const params = await provider().prepay(order({ amountFen: 600 }));
    const forged = (params.order_string ?? "").replace(
      encodeURIComponent('"6.00"'),
      encodeURIComponent('"0.01"'),
    );
    expect(forged).not.toBe(params.order_string);
    expect(() => fake.acceptOrderString(forged)).toThrow(/验签/);
  });

  it.each(["h5", "jsapi"] as const)(
    "%s: a WAP cashier URL (alipay.trade.wap.pay) the fake verifies",
    async (client) => {
      const o = order({ client, amountFen: 1 });
      const params = await provider().prepay(o);
      expect(Object.keys(params)).toEqual(["pay_url"]);
      const trade = fake.acceptPayUrl(params.pay_url ?? "");
      expect(trade).toMatchObject({
        outTradeNo: o.outTradeNo,
        totalAmount: "0.01",
        productCode: "QUICK_WAP_WAY",
        returnUrl: o.returnUrl,
        notifyUrl: receiver.url,
      });
    },
  );

  it.each(["pkcs1", "bare"] as const)("accepts a %s app private key", async (keyFormat) => {
    const other = await startAlipayFake({ keyFormat });
    try {
      const p = AlipayProvider.fromConfig({
        ...other.providerConfig,
        PAY_HTTP_TIMEOUT_MS: 1000,
      } as unknown as AppConfig);
      const params = await p.prepay(order());
      expect(other.acceptOrderString(params.order_string ?? "").totalAmount).toBe("6.00");
    } finally {
      await other.close();
    }
  });

  it("an order string signed with another key is refused", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p = provider({ privateKeyPem: stranger.export({ type: "pkcs8", format: "pem" }).toString() });
    const params = await p.prepay(order());
    expect(() => fake.acceptOrderString(params.order_string ?? "")).toThrow(/验签/);
  });
});

describe("Alipay notifications", () => {
  it("a real notification verifies and maps into the trade", async () => {
    const o = await openedOrder({ amountFen: 600 });
    const answer = await fake.pay(o.outTradeNo);
    expect(answer).toBe("success");
    const req = lastReceived();
    const verdict = provider().verifyNotify(req, new Date());
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    const fields = Object.fromEntries(new URLSearchParams(req.rawBody));
    const trade = fake.trades.get(o.outTradeNo);
    expect(verdict.eventId).toBe(fields.notify_id);
    expect(verdict.eventType).toBe("trade_status_sync");
    expect(verdict.trade).toEqual({
      outTradeNo: o.outTradeNo,
      gatewayTradeNo: trade?.tradeNo,
      state: "paid",
      rawState: "TRADE_SUCCESS",
      amountFen: 600,
      currency: "CNY",
      appId: fake.appId,
      merchantId: fake.sellerId,
      paidAt: parseBeijingTime(trade?.gmtPayment ?? ""),
    });
  });

  it("a total_amount changed in the body → bad_signature (and the fake hears `fail`)", async () => {
    const o = await openedOrder({ amountFen: 600 });
    const { rawBody } = fake.buildNotify(o.outTradeNo, { trade_status: "TRADE_SUCCESS" });
    const tampered = rawBody.replace("total_amount=6.00", "total_amount=0.01");
    expect(tampered).not.toBe(rawBody);
    expect(provider().verifyNotify({ headers: {}, rawBody }, new Date()).ok).toBe(true);
    expect(provider().verifyNotify({ headers: {}, rawBody: tampered }, new Date())).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect((await fake.deliverRaw(receiver.url, tampered)).body).toBe("fail");
  });

  it("a notification signed with another key → bad_signature", async () => {
    const o = await openedOrder();
    expect(await fake.pay(o.outTradeNo, undefined, { badSignature: true })).toBe("fail");
    expect(provider().verifyNotify(lastReceived(), new Date())).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("no sign, or a repeated field → refused", async () => {
    const o = await openedOrder();
    const { rawBody } = fake.buildNotify(o.outTradeNo);
    const unsigned = rawBody.replace(/(^|&)sign=[^&]*/, "");
    expect(provider().verifyNotify({ headers: {}, rawBody: unsigned }, new Date())).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(
      provider().verifyNotify({ headers: {}, rawBody: `${rawBody}&total_amount=0.01` }, new Date()),
    ).toMatchObject({ ok: false, reason: "malformed" });
  });

  it.each([
    ["TRADE_FINISHED", "paid"],
    ["TRADE_CLOSED", "closed"],
    ["WAIT_BUYER_PAY", "pending"],
  ] as const)("%s → %s", async (status, state) => {
    const o = await openedOrder();
    await fake.sendNotify(o.outTradeNo, undefined, { trade_status: status });
    const verdict = provider().verifyNotify(lastReceived(), new Date());
    expect(verdict.ok && verdict.trade).toMatchObject({ state, rawState: status });
  });

  it("amounts are parsed exactly from the signed text", async () => {
    const o = await openedOrder();
    for (const [text, fen] of [
      ["0.01", 1],
      ["6", 600],
      ["6.5", 650],
    ] as const) {
      const { rawBody } = fake.buildNotify(o.outTradeNo, { total_amount: text });
      const verdict = provider().verifyNotify({ headers: {}, rawBody }, new Date());
      expect(verdict.ok && verdict.trade.amountFen).toBe(fen);
    }
    const { rawBody } = fake.buildNotify(o.outTradeNo, { total_amount: "6.001" });
    expect(provider().verifyNotify({ headers: {}, rawBody }, new Date())).toMatchObject({
      ok: false,
      reason: "malformed",
    });
  });

  it("app_id and seller_id are reported as signed (the payment core compares them)", async () => {
    const o = await openedOrder();
    const { rawBody } = fake.buildNotify(o.outTradeNo, {
      app_id: "2021000000000000",
      seller_id: "2088000000000000",
    });
    const verdict = provider().verifyNotify({ headers: {}, rawBody }, new Date());
    expect(verdict.ok && verdict.trade).toMatchObject({
      appId: "2021000000000000",
      merchantId: "2088000000000000",
    });
  });

  it("an old notification is not stale: Alipay retries for 25 h with the same notify_id", async () => {
    const o = await openedOrder();
    await fake.pay(o.outTradeNo);
    const dayLater = new Date(Date.now() + 25 * 3600_000);
    expect(provider().verifyNotify(lastReceived(), dayLater).ok).toBe(true);
  });

  it("answers success / fail as text/plain 200", () => {
    expect(provider().answer(true)).toEqual({ status: 200, contentType: "text/plain", body: "success" });
    expect(provider().answer(false)).toEqual({ status: 200, contentType: "text/plain", body: "fail" });
  });
});

describe("Alipay query and close", () => {
  it("query: WAIT_BUYER_PAY → pending, paid → paid, never opened → null", async () => {
    const p = provider();
    const o = await openedOrder({ amountFen: 650 });
    expect(await p.query(o.outTradeNo)).toMatchObject({
      state: "pending",
      rawState: "WAIT_BUYER_PAY",
      amountFen: 650,
    });
    await fake.pay(o.outTradeNo);
    const trade = fake.trades.get(o.outTradeNo);
    expect(await p.query(o.outTradeNo)).toEqual({
      outTradeNo: o.outTradeNo,
      gatewayTradeNo: trade?.tradeNo,
      state: "paid",
      rawState: "TRADE_SUCCESS",
      amountFen: 650,
      currency: "CNY",
      appId: fake.appId,
      merchantId: fake.sellerId,
      paidAt: parseBeijingTime(trade?.gmtPayment ?? ""),
    });
    expect(await p.query("never_opened_0001")).toBeNull();
    expect(fake.requests.at(-1)).toMatchObject({
      method: "alipay.trade.query",
      subCode: "ACQ.TRADE_NOT_EXIST",
    });
  });

  it("query TRADE_FINISHED → paid", async () => {
    const o = await openedOrder();
    await fake.pay(o.outTradeNo, undefined, { trade_status: "TRADE_FINISHED" });
    expect(await provider().query(o.outTradeNo)).toMatchObject({ state: "paid", rawState: "TRADE_FINISHED" });
  });

  it("close: closes; closing again and TRADE_NOT_EXIST are fine; a paid trade throws", async () => {
    const p = provider();
    const o = await openedOrder();
    await p.close(o.outTradeNo);
    expect(fake.trades.get(o.outTradeNo)?.tradeStatus).toBe("TRADE_CLOSED");
    expect(await p.query(o.outTradeNo)).toMatchObject({ state: "closed" });
    await p.close(o.outTradeNo);
    await p.close("never_opened_0002");
    const paid = await openedOrder();
    await fake.pay(paid.outTradeNo);
    const err = await rejection(p.close(paid.outTradeNo));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("TRADE_SUCCESS");
  });

  it("requests are signed with our key and stamped in Beijing time (the fake checks both)", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const wrongKey = provider({
      privateKeyPem: stranger.export({ type: "pkcs8", format: "pem" }).toString(),
    });
    const err = await rejection(wrongKey.query("any_order_0001"));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("isv.invalid-signature");
    const utcClock = provider({ now: () => new Date(Date.now() - 8 * 3600_000) });
    expect((await rejection(utcClock.query("any_order_0002"))).message).toContain("isv.invalid-timestamp");
  });
});

describe("Alipay response verification and transport errors", () => {
  it.each(["bad_signature", "no_signature"] as const)("a response with %s is refused", async (fault) => {
    const o = await openedOrder();
    fake.failNext(fault);
    const err = await rejection(provider().query(o.outTradeNo));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/refused/);
  });

  it("a forged 'TRADE_NOT_EXIST' is refused too, not read as null", async () => {
    fake.failNext("bad_signature");
    expect((await rejection(provider().query("never_opened_0003"))).retryable).toBe(false);
  });

  it.each(["5xx", "system_error"] as const)("%s → retryable", async (fault) => {
    fake.failNext(fault);
    expect((await rejection(provider().query("any_order_0003"))).retryable).toBe(true);
  });

  it("a dropped connection → retryable (urllib inside the SDK silently retries a socket error once)", async () => {
    fake.failNext("reset");
    expect(await provider().query("any_order_0006")).toBeNull();
    fake.failNext("reset", 2);
    expect((await rejection(provider().query("any_order_0007"))).retryable).toBe(true);
  });

  it("a timeout → retryable", async () => {
    fake.failNext("slow");
    const started = Date.now();
    const err = await rejection(provider({ timeoutMs: 200 }).query("any_order_0004"));
    expect(err.retryable).toBe(true);
    // urllib/undici check timeouts on a coarse (~1 s) timer: 200 ms fires after about 1 s.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("a refused connection → retryable", async () => {
    const err = await rejection(
      provider({ gateway: "http://127.0.0.1:1/gateway.do" }).close("any_order_0005"),
    );
    expect(err.retryable).toBe(true);
  });
});

describe("AlipayProvider.fromConfig", () => {
  it("builds from the env-style settings (PEM with literal \\n) and names missing ones", async () => {
    const config = {
      ...fake.providerConfig,
      ALIPAY_PRIVATE_KEY: fake.providerConfig.ALIPAY_PRIVATE_KEY.replace(/\n/g, "\\n"),
      PAY_HTTP_TIMEOUT_MS: 1000,
    } as unknown as AppConfig;
    const p = AlipayProvider.fromConfig(config);
    expect(p.channel).toBe("alipay");
    expect(p.appId).toBe(fake.appId);
    expect(p.merchantId).toBe(fake.sellerId);
    expect(await p.query("never_opened_0004")).toBeNull();
    expect(() => AlipayProvider.fromConfig({ ...config, ALIPAY_SELLER_ID: undefined })).toThrow(
      /ALIPAY_SELLER_ID/,
    );
  });
});
