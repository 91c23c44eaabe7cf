import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTencentSmsProvider, type TencentSmsOptions } from "../../src/providers/sms/tencent.js";
import { startTencentSmsFake, type TencentFake } from "../fakes/tencent-sms.js";

let fake: TencentFake;

beforeAll(async () => {
  fake = await startTencentSmsFake({ slowMs: 3000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setMode("ok");
  fake.messages.length = 0;
  fake.rejections.length = 0;
});

function provider(over: Partial<TencentSmsOptions> = {}) {
  return createTencentSmsProvider({
    secretId: fake.secretId,
    secretKey: fake.secretKey,
    sdkAppId: fake.sdkAppId,
    signName: "天空即兴",
    templateId: "1234567",
    endpoint: fake.url,
    timeoutMs: 2000,
    ...over,
  });
}

const input = { phone: "13800000000", code: "654321", ttlMinutes: 5 };

describe("Tencent SendSms provider against the fake", () => {
  it("sends a correctly signed SendSms with E.164 number and [code, ttl]", async () => {
    const p = provider();
    expect(p.name).toBe("tencent");
    const out = await p.sendCode(input);
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.providerMessageId).toMatch(/^2028:/);
    expect(fake.rejections).toEqual([]);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      phoneNumber: "+8613800000000",
      signName: "天空即兴",
      templateId: "1234567",
      templateParams: ["654321", "5"],
      code: "654321",
      region: "ap-guangzhou",
    });
  });

  it("sends the configured region", async () => {
    expect((await provider({ region: "ap-beijing" }).sendCode(input)).ok).toBe(true);
    expect(fake.messages[0]?.region).toBe("ap-beijing");
  });

  it("signs with the UTC date of an injected clock", async () => {
    // 2019-02-26 00:44:25 in Beijing is still 2019-02-25 in UTC.
    const out = await provider({ now: () => new Date(1551113065 * 1000) }).sendCode(input);
    expect(out.ok).toBe(true);
  });

  it("maps a per-number LimitExceeded.* to a rate limit", async () => {
    fake.setMode("limit");
    expect(await provider().sendCode(input)).toMatchObject({
      ok: false,
      retryable: false,
      reason: "rate_limited",
      providerCode: "LimitExceeded.PhoneNumberThirtySecondLimit",
    });
  });

  it("maps a request-level LimitExceeded.* error to a rate limit", async () => {
    fake.setMode("limit-error");
    expect(await provider().sendCode(input)).toMatchObject({
      ok: false,
      retryable: false,
      reason: "rate_limited",
      providerCode: "LimitExceeded.DeliveryFrequencyLimit",
    });
  });

  it("maps HTTP 500 to a retryable failure", async () => {
    fake.setMode("500");
    expect(await provider().sendCode(input)).toMatchObject({
      ok: false,
      retryable: true,
      reason: "unavailable",
    });
  });

  it("maps malformed JSON to bad_response", async () => {
    fake.setMode("malformed");
    expect(await provider().sendCode(input)).toMatchObject({
      ok: false,
      retryable: false,
      reason: "bad_response",
    });
  });

  it("times out with a short timeoutMs", async () => {
    fake.setMode("slow");
    const started = Date.now();
    const out = await provider({ timeoutMs: 150 }).sendCode(input);
    expect(out).toMatchObject({ ok: false, retryable: true, reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("is rejected by the fake when the secret is wrong (Response.Error)", async () => {
    const out = await provider({ secretKey: "wrong-secret" }).sendCode(input);
    expect(out).toMatchObject({
      ok: false,
      retryable: false,
      reason: "auth",
      providerCode: "AuthFailure.SignatureFailure",
    });
    expect(fake.rejections).toEqual(["AuthFailure.SignatureFailure"]);
    expect(fake.messages).toHaveLength(0);
  });

  it("maps other request errors to a non-retryable rejection", async () => {
    const out = await provider({ sdkAppId: "1400999999" }).sendCode(input);
    expect(out).toMatchObject({
      ok: false,
      retryable: false,
      reason: "rejected",
      providerCode: "InvalidParameterValue.SdkAppIdNotExist",
    });
  });
});
