import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AliyunSmsOptions } from "../../src/providers/sms/aliyun.js";
import { createAliyunSmsProvider } from "../../src/providers/sms/aliyun.js";
import { type AliyunFake, startAliyunSmsFake } from "../fakes/aliyun-sms.js";

let fake: AliyunFake;

beforeAll(async () => {
  fake = await startAliyunSmsFake({ slowMs: 3000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setMode("ok");
  fake.messages.length = 0;
  fake.rejections.length = 0;
});

function provider(over: Partial<AliyunSmsOptions> = {}) {
  return createAliyunSmsProvider({
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    signName: "天空即兴",
    templateCode: "SMS_123456789",
    endpoint: fake.url,
    timeoutMs: 2000,
    ...over,
  });
}

const input = { phone: "+8613800000000", code: "123456", ttlMinutes: 5 };

describe("Aliyun SendSms provider against the fake", () => {
  it("sends a correctly signed SendSms and reports the BizId", async () => {
    const p = provider();
    expect(p.name).toBe("aliyun");
    const out = await p.sendCode(input);
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.providerMessageId).toMatch(/\^0$/);
    expect(fake.rejections).toEqual([]);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      phoneNumbers: "13800000000",
      signName: "天空即兴",
      templateCode: "SMS_123456789",
      templateParam: { code: "123456" },
      code: "123456",
    });
  });

  it("uses a fresh nonce per request", async () => {
    const p = provider();
    expect((await p.sendCode(input)).ok).toBe(true);
    expect((await p.sendCode(input)).ok).toBe(true);
    expect(fake.messages).toHaveLength(2);
  });

  it("accepts an endpoint with a trailing slash", async () => {
    expect((await provider({ endpoint: `${fake.url}/` }).sendCode(input)).ok).toBe(true);
  });

  it("maps isv.BUSINESS_LIMIT_CONTROL to a non-retryable rate limit", async () => {
    fake.setMode("limit");
    const out = await provider().sendCode(input);
    expect(out).toMatchObject({
      ok: false,
      retryable: false,
      reason: "rate_limited",
      providerCode: "isv.BUSINESS_LIMIT_CONTROL",
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

  it("is rejected by the fake when the secret is wrong", async () => {
    const out = await provider({ accessKeySecret: "wrong-secret" }).sendCode(input);
    expect(out).toMatchObject({
      ok: false,
      retryable: false,
      reason: "auth",
      providerCode: "SignatureDoesNotMatch",
    });
    expect(fake.rejections).toEqual(["SignatureDoesNotMatch"]);
    expect(fake.messages).toHaveLength(0);
  });

  it("is rejected when the access key id is unknown", async () => {
    const out = await provider({ accessKeyId: "LTAI-unknown" }).sendCode(input);
    expect(out).toMatchObject({ ok: false, reason: "auth", providerCode: "InvalidAccessKeyId.NotFound" });
  });

  it("is rejected when a nonce is replayed", async () => {
    const p = provider({
      nonce: () => "fixed-nonce-for-replay-test",
      now: () => new Date("2030-01-01T00:00:00Z"),
    });
    expect((await p.sendCode(input)).ok).toBe(true);
    expect(await p.sendCode(input)).toMatchObject({ ok: false, providerCode: "SignatureNonceUsed" });
  });

  it("never puts the code into the error text", async () => {
    fake.setMode("limit");
    const out = await provider().sendCode(input);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).not.toContain("123456");
  });

  it("reports a refused connection as a retryable network failure", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const out = await provider({ endpoint: `http://127.0.0.1:${port}` }).sendCode(input);
    expect(out).toMatchObject({ ok: false, retryable: true, reason: "network" });
  });
});
