import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/env.js";
import type { PayoutRequest } from "../../src/providers/payout/types.js";
import { type WechatPayoutOptions, WechatPayoutProvider } from "../../src/providers/payout/wechat.js";
import { startWechatTransferFake, type WechatTransferFake } from "../fakes/wechat-transfer.js";

let fake: WechatTransferFake;
let counter = 0;

beforeAll(async () => {
  fake = await startWechatTransferFake({ hangMs: 1500 });
});
afterAll(async () => {
  await fake.close();
});

function provider(over: Partial<WechatPayoutOptions> = {}): WechatPayoutProvider {
  return new WechatPayoutProvider({
    baseUrl: fake.baseUrl,
    appId: fake.appId,
    mchId: fake.mchId,
    serialNo: fake.merchantSerialNo,
    privateKeyPem: fake.merchantPrivateKeyPem,
    platformKeys: { [fake.platformPublicKeyId]: fake.platformPublicKeyPem },
    timeoutMs: 1000,
    ...over,
  });
}

function request(over: Partial<PayoutRequest> = {}): PayoutRequest {
  counter += 1;
  return {
    outBizNo: `${Date.now().toString(16)}${String(counter).padStart(6, "0")}`.padEnd(32, "b"),
    amountFen: 8_800n,
    method: "wechat",
    payee: { name: "李四", account: "wxid_li4", openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    remark: "SkyRiff 创作收益提现",
    ...over,
  };
}

describe("WeChat payout: transfer", () => {
  it("success: the signed bill carries scene 1005, its report infos and the encrypted real name", async () => {
    const req = request();
    const result = await provider().transfer(req);
    const bill = fake.bills.get(req.outBizNo);
    expect(result).toEqual({ state: "success", gatewayRef: bill?.transferBillNo, rawState: "SUCCESS" });
    expect(bill).toMatchObject({
      appid: fake.appId,
      openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      transferSceneId: "1005",
      transferAmount: 8800,
      transferRemark: "SkyRiff 创作收益提现",
      userName: "李四",
      reportInfos: [
        { info_type: "岗位类型", info_content: "内容创作者" },
        { info_type: "报酬说明", info_content: "创作收益提现" },
      ],
    });
    const sent = JSON.parse(bill?.requestBody ?? "{}");
    expect(sent.user_name).not.toContain("李四");
    expect(typeof sent.transfer_amount).toBe("number");
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      status: 200,
      serial: fake.platformPublicKeyId,
    });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("without a name: no user_name and no Wechatpay-Serial (below ¥2,000)", async () => {
    const req = request({ payee: { name: "", account: "x", openid: "o-noname" } });
    expect(await provider().transfer(req)).toMatchObject({ state: "success" });
    expect(fake.bills.get(req.outBizNo)?.userName).toBeNull();
    expect(JSON.parse(fake.bills.get(req.outBizNo)?.requestBody ?? "{}")).not.toHaveProperty("user_name");
    expect(fake.requests.at(-1)?.serial).toBeNull();
  });

  it("from ¥2,000 a real name is required: refused before sending when it is missing", async () => {
    const before = fake.requests.length;
    const result = await provider().transfer(
      request({ amountFen: 200_000n, payee: { name: "", account: "x", openid: "o-big" } }),
    );
    expect(result).toMatchObject({ state: "failed", code: "PAYEE_NAME_REQUIRED" });
    expect(fake.requests.length).toBe(before);
    const named = request({ amountFen: 200_000n });
    expect(await provider().transfer(named)).toMatchObject({ state: "success" });
    expect(fake.bills.get(named.outBizNo)?.userName).toBe("李四");
  });

  it("no openid → failed before sending", async () => {
    const before = fake.requests.length;
    const result = await provider().transfer(
      request({ payee: { name: "李四", account: "x", openid: null } }),
    );
    expect(result).toMatchObject({ state: "failed", code: "PAYEE_OPENID_MISSING" });
    expect(fake.requests.length).toBe(before);
  });

  it("the remark is cut to 32 characters (code points)", async () => {
    const req = request({ remark: "提".repeat(40) });
    await provider().transfer(req);
    expect(fake.bills.get(req.outBizNo)?.transferRemark).toBe("提".repeat(32));
  });

  it("definitive failure: a bill in FAIL → failed with its fail_reason", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "fail", code: "NAME_NOT_CORRECT" });
    const p = provider();
    expect(await p.transfer(req)).toEqual({
      state: "failed",
      code: "NAME_NOT_CORRECT",
      reason: "微信转账失败 (NAME_NOT_CORRECT)",
      rawState: "FAIL",
    });
    expect(await p.query(req)).toMatchObject({ state: "failed", code: "NAME_NOT_CORRECT" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(0);
  });

  it("timeout-then-success: unknown, the query says success, the same out_bill_no again → success, paid once", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "timeout-then-success" });
    const p = provider({ timeoutMs: 300 });
    const started = Date.now();
    const first = await p.transfer(req);
    expect(first).toMatchObject({ state: "unknown" });
    if (first.state === "unknown") expect(first.reason).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1200);
    const bill = fake.bills.get(req.outBizNo);
    expect(await p.query(req)).toEqual({
      state: "success",
      gatewayRef: bill?.transferBillNo,
      rawState: "SUCCESS",
    });
    expect(await p.transfer(req)).toEqual({
      state: "success",
      gatewayRef: bill?.transferBillNo,
      rawState: "SUCCESS",
    });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("duplicate requests with the same out_bill_no → one payment, the same bill", async () => {
    const req = request();
    const p = provider();
    const [a, b] = await Promise.all([p.transfer(req), p.transfer(req)]);
    expect(a).toMatchObject({ state: "success" });
    expect(b).toEqual(a);
    expect(await p.transfer(req)).toEqual(a);
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("the same out_bill_no with other parameters → the fake's 400 → unknown, never a second bill", async () => {
    const req = request();
    const p = provider();
    await p.transfer(req);
    const other = await p.transfer({ ...req, amountFen: req.amountFen + 1n });
    expect(other).toMatchObject({ state: "unknown" });
    if (other.state === "unknown") expect(other.reason).toContain("HTTP 400 INVALID_REQUEST");
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("HTTP 500 → unknown; the query says not_found, so sending it again is safe", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "5xx" });
    const p = provider();
    const result = await p.transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    if (result.state === "unknown") expect(result.reason).toContain("500");
    expect(await p.query(req)).toEqual({ state: "not_found" });
    expect(await p.transfer(req)).toMatchObject({ state: "success" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it("a forged answer signature → unknown, though the fake paid; the query then says success", async () => {
    const req = request();
    fake.script(req.outBizNo, { mode: "bad-signature" });
    const p = provider();
    const result = await p.transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    if (result.state === "unknown") expect(result.reason).toMatch(/signature does not verify/);
    expect(await p.query(req)).toMatchObject({ state: "success" });
    expect(fake.paymentsOf(req.outBizNo)).toBe(1);
  });

  it.each(["WAIT_USER_CONFIRM", "PROCESSING"] as const)(
    "%s → processing, then success on a later query",
    async (state) => {
      const req = request();
      fake.script(req.outBizNo, { mode: "processing-then-success", state, queries: 2 });
      const p = provider();
      expect(await p.transfer(req)).toMatchObject({ state: "processing", rawState: state });
      expect(await p.query(req)).toMatchObject({ state: "processing", rawState: state });
      expect(fake.paymentsOf(req.outBizNo)).toBe(0);
      expect(await p.query(req)).toMatchObject({ state: "success", rawState: "SUCCESS" });
      expect(await p.transfer(req)).toMatchObject({ state: "success" });
      expect(fake.paymentsOf(req.outBizNo)).toBe(1);
    },
  );

  it("a request signed with another merchant key → 401 SIGN_ERROR → unknown", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p = provider({ privateKeyPem: stranger.export({ type: "pkcs8", format: "pem" }).toString() });
    const req = request();
    const result = await p.transfer(req);
    expect(result).toMatchObject({ state: "unknown" });
    expect(fake.requests.at(-1)).toMatchObject({ status: 401, code: "SIGN_ERROR" });
    expect(fake.bills.has(req.outBizNo)).toBe(false);
  });

  it("user_name encrypted for a platform key WeChat does not hold (named in Wechatpay-Serial) → 400 → unknown", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const p = provider({
      platformKeys: {
        [fake.platformPublicKeyId]: fake.platformPublicKeyPem,
        PUB_KEY_ID_OTHER: other.export({ type: "spki", format: "pem" }).toString(),
      },
      encryptionKeyId: "PUB_KEY_ID_OTHER",
    });
    expect(await p.transfer(request())).toMatchObject({ state: "unknown" });
    expect(fake.requests.at(-1)).toMatchObject({
      status: 400,
      code: "PARAM_ERROR",
      serial: "PUB_KEY_ID_OTHER",
    });
  });

  it("a refused connection → unknown", async () => {
    const p = provider({ baseUrl: "http://127.0.0.1:1" });
    expect(await p.transfer(request())).toMatchObject({ state: "unknown" });
    expect(await p.query(request())).toMatchObject({ state: "unknown" });
  });
});

describe("WeChat payout: query", () => {
  it("a bill WeChat never received → 404 NOT_FOUND → not_found", async () => {
    const req = request();
    expect(await provider().query(req)).toEqual({ state: "not_found" });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/${req.outBizNo}`,
      status: 404,
      code: "NOT_FOUND",
    });
  });

  it("a 404 whose signature does not verify is not trusted as not_found", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const p = provider({
      platformKeys: { [fake.platformPublicKeyId]: other.export({ type: "spki", format: "pem" }).toString() },
    });
    expect(await p.query(request())).toMatchObject({ state: "unknown" });
  });
});

describe("WechatPayoutProvider.fromConfig", () => {
  it("builds from the existing WECHATPAY_* settings and names the missing ones", async () => {
    const config = { ...fake.providerConfig, PAY_HTTP_TIMEOUT_MS: 1000 } as unknown as AppConfig;
    const p = WechatPayoutProvider.fromConfig(config);
    expect(p.channel).toBe("wechat");
    expect(await p.query(request())).toEqual({ state: "not_found" });
    expect(await p.transfer(request())).toMatchObject({ state: "success" });
    expect(() =>
      WechatPayoutProvider.fromConfig({ ...config, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: undefined }),
    ).toThrow(/WECHATPAY_PLATFORM_PUBLIC_KEY_ID/);
  });

  it("a scene the merchant does not have is refused by the fake → unknown", async () => {
    const config = { ...fake.providerConfig, PAY_HTTP_TIMEOUT_MS: 1000 } as unknown as AppConfig;
    const p = WechatPayoutProvider.fromConfig(config, { transferSceneId: "1000" });
    expect(await p.transfer(request())).toMatchObject({ state: "unknown" });
    expect(fake.requests.at(-1)).toMatchObject({ status: 400, code: "INVALID_REQUEST" });
  });
});
