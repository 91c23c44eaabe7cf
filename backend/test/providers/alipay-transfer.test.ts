import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/env.js";
import { type AlipayPayoutOptions, AlipayPayoutProvider } from "../../src/providers/payout/alipay.js";
import type { PayoutRequest } from "../../src/providers/payout/types.js";
import { type AlipayTransferFake, startAlipayTransferFake } from "../fakes/alipay-transfer.js";

let fake: AlipayTransferFake;
let counter = 0;

beforeAll(async () => {
  fake = await startAlipayTransferFake({ hangMs: 2500 });
});
afterAll(async () => {
  await fake.close();
});

function provider(over: Partial<AlipayPayoutOptions> = {}): AlipayPayoutProvider {
  return new AlipayPayoutProvider({
    gateway: fake.gateway,
    appId: fake.appId,
    privateKeyPem: fake.appPrivateKeyPem,
    alipayPublicKeyPem: fake.alipayPublicKeyPem,
    timeoutMs: 1000,
    ...over,
  });
}

function request(over: Partial<PayoutRequest> = {}): PayoutRequest {
  counter += 1;
  return {
    outBizNo: `${Date.now().toString(16)}${String(counter).padStart(6, "0")}`.padEnd(32, "a"),
    amountFen: 12_345n,
    method: "alipay",
    payee: { name: "张三", account: "13800138000" },
    remark: "SkyRiff 创作收益提现",
    ...over,
  };
}

describe("Alipay payout: transfer", () => {
  it("success: a signed uni.transfer with a yuan string from fen, verified answer → success", async () => {
    const req = request();
    const result = await provider().transfer(req);
    const stored = fake.transfers.get(req.outBizNo);
    expect(result).toEqual({ state: "success", gatewayRef: stored?.orderId, rawState: "SUCCESS" });
    expect(JSON.parse(stored?.bizContent ?? "{}")).toEqual({
      out_biz_no: req.outBizNo,
      trans_amount: "123.45",
      product_code: "TRANS_ACCOUNT_NO_PWD",
      biz_scene: "DIRECT_TRANSFER",
      order_title: "SkyRiff 提现",
      remark: "SkyRiff 创作收益提现",
      payee_info: { identity: "13800138000", identity_type: "ALIPAY_LOGON_ID", name: "张三" },
    });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it.each([
    [10n, "0.10"],
    [100n, "1.00"],
    [5_000_000n, "50000.00"],
    [9_999_999_999n, "99999999.99"],
  ] as const)("%s fen is sent as %s yuan", async (amountFen, yuan) => {
    const req = request({ amountFen });
    await provider().transfer(req);
    expect(fake.transfers.get(req.outBizNo)?.transAmount).toBe(yuan);
  });

  it("a non-positive or unsafe amount is a programming error: it throws before sending", async () => {
    const before = fake.requests.length;
    await expect(provider().transfer(request({ amountFen: 0n }))).rejects.toThrow(/positive integer of fen/);
    await expect(provider().transfer(request({ amountFen: 2n ** 60n }))).rejects.toThrow(/fen/);
    expect(fake.requests.length).toBe(before);
  });

  it("definitive failure (40004 PAYEE_NOT_EXIST) → failed with the sub_code; the query says FAIL", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "fail", subCode: "PAYEE_NOT_EXIST", subMsg: "收款用户不存在" });
    const p = provider();
    expect(await p.transfer(req)).toEqual({
      state: "failed",
      code: "PAYEE_NOT_EXIST",
      reason: "收款用户不存在",
      rawState: "40004 PAYEE_NOT_EXIST",
    });
    expect(await p.query(req)).toMatchObject({ state: "failed", code: "PAYEE_NOT_EXIST", rawState: "FAIL" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(0);
  });

  it.each(["PAYEE_USER_INFO_ERROR", "PAYEE_ACC_OCUPIED", "EXCEED_LIMIT_SM_AMOUNT", "BALANCE_IS_NOT_ENOUGH"])(
    "%s is definitive",
    async (subCode) => {
      const req = request();
      fake.script(req.outBizNo, { mode: "fail", subCode });
      expect(await provider().transfer(req)).toMatchObject({ state: "failed", code: subCode });
    },
  );

  it("a 40004 sub_code not known to be definitive (or SYSTEM_ERROR) → unknown, whatever sub_msg says", async () => {
    for (const subCode of ["SYSTEM_ERROR", "SOME_NEW_CODE"]) {
      const req = request();
      fake.script(req.outBizNo, { mode: "fail", subCode, subMsg: "收款用户不存在" });
      expect(await provider().transfer(req)).toMatchObject({ state: "unknown" });
    }
  });

  it("the same out_biz_no with another amount → PAYMENT_INFO_INCONSISTENCY → unknown (an order exists)", async () => {
    const req = request();
    const p = provider();
    await p.transfer(req);
    const other = await p.transfer({ ...req, amountFen: req.amountFen + 1n });
    expect(other).toMatchObject({ state: "unknown" });
    if (other.state === "unknown") expect(other.reason).toContain("PAYMENT_INFO_INCONSISTENCY");
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("timeout-then-success: unknown, the query says success, the same out_biz_no again → success, paid once", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "timeout-then-success" });
    const p = provider({ timeoutMs: 300 });
    const started = Date.now();
    const first = await p.transfer(req);
    expect(first).toMatchObject({ state: "unknown" });
    // urllib checks timeouts on a coarse (~1 s) timer; the fake hangs 2.5 s.
    expect(Date.now() - started).toBeLessThan(2400);
    const order = fake.transfers.get(req.outBizNo);
    expect(await p.query(req)).toEqual({ state: "success", gatewayRef: order?.orderId, rawState: "SUCCESS" });
    expect(await p.transfer(req)).toEqual({
      state: "success",
      gatewayRef: order?.orderId,
      rawState: "SUCCESS",
    });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("duplicate requests with the same out_biz_no → one payment, the same order", async () => {
    const req = request();
    const p = provider();
    const [a, b] = await Promise.all([p.transfer(req), p.transfer(req)]);
    const again = await p.transfer(req);
    expect(a).toMatchObject({ state: "success" });
    expect(b).toEqual(a);
    expect(again).toEqual(a);
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("HTTP 5xx → unknown; the query says not_found, so sending it again is safe", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "5xx" });
    const p = provider();
    expect(await p.transfer(req)).toMatchObject({ state: "unknown" });
    expect(await p.query(req)).toEqual({ state: "not_found" });
    expect(await p.transfer(req)).toMatchObject({ state: "success" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("code 20000 (service unavailable) → unknown", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "system-error" });
    const result = await provider().transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    if (result.state === "unknown") expect(result.reason).toContain("20000");
  });

  it("a forged answer signature → unknown, though the fake paid; the query then says success", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "bad-signature" });
    const p = provider();
    const result = await p.transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    if (result.state === "unknown") expect(result.reason).toMatch(/验签/);
    expect(await p.query(req)).toMatchObject({ state: "success" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("DEALING → processing, then success on a later query", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "processing-then-success", queries: 2 });
    const p = provider();
    expect(await p.transfer(req)).toMatchObject({ state: "processing", rawState: "DEALING" });
    expect(await p.query(req)).toMatchObject({ state: "processing", rawState: "DEALING" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(0);
    expect(await p.query(req)).toMatchObject({ state: "success", rawState: "SUCCESS" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("a missing real name or account → failed before anything is sent", async () => {
    const before = fake.requests.length;
    const result = await provider().transfer(request({ payee: { name: " ", account: "13800138000" } }));
    expect(result).toMatchObject({ state: "failed", code: "PAYEE_INFO_MISSING" });
    expect(fake.requests.length).toBe(before);
  });

  it("a request signed with another app key is refused by the fake (isv.invalid-signature) → unknown", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p = provider({ privateKeyPem: stranger.export({ type: "pkcs8", format: "pem" }).toString() });
    const req = request();
    const result = await p.transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    expect(fake.requests.at(-1)).toMatchObject({ subCode: "isv.invalid-signature" });
    expect(fake.transfers.has(req.outBizNo)).toBe(false);
  });

  it("a refused connection → unknown", async () => {
    const p = provider({ gateway: "http://127.0.0.1:1/gateway.do" });
    expect(await p.transfer(request())).toMatchObject({ state: "unknown" });
    expect(await p.query(request())).toMatchObject({ state: "unknown" });
  });
});

describe("Alipay payout: query", () => {
  it("a transfer Alipay never received → not_found (ORDER_NOT_EXIST)", async () => {
    const req = request();
    expect(await provider().query(req)).toEqual({ state: "not_found" });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "alipay.fund.trans.common.query",
      outBizNo: req.outBizNo,
      subCode: "ORDER_NOT_EXIST",
    });
  });

  it("a paid transfer → success with Alipay's order_id", async () => {
    const req = request();
    const p = provider();
    await p.transfer(req);
    expect(await p.query(req)).toEqual({
      state: "success",
      gatewayRef: fake.transfers.get(req.outBizNo)?.orderId,
      rawState: "SUCCESS",
    });
  });
});

describe("AlipayPayoutProvider.fromConfig", () => {
  it("builds from the existing ALIPAY_* settings and names the missing ones", async () => {
    const config = { ...fake.providerConfig, PAY_HTTP_TIMEOUT_MS: 1000 } as unknown as AppConfig;
    const p = AlipayPayoutProvider.fromConfig(config);
    expect(p.channel).toBe("alipay");
    expect(await p.query(request())).toEqual({ state: "not_found" });
    expect(() => AlipayPayoutProvider.fromConfig({ ...config, ALIPAY_PUBLIC_KEY: undefined })).toThrow(
      /ALIPAY_PUBLIC_KEY/,
    );
  });
});
