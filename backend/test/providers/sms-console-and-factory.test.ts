import { describe, expect, it } from "vitest";
import { ConfigError, envSchema } from "../../src/config/env.js";
import {
  createConsoleSmsProvider,
  createSmsProvider,
  mainlandNumber,
  maskPhone,
} from "../../src/providers/sms/index.js";

function recorder() {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, log: { info: (obj: object, msg: string) => lines.push({ obj, msg }) } };
}

describe("phone helpers", () => {
  it("normalises mainland numbers and masks them", () => {
    expect(mainlandNumber("+86 138-0000-1234")).toBe("13800001234");
    expect(mainlandNumber("008613800001234")).toBe("13800001234");
    expect(mainlandNumber("13800001234")).toBe("13800001234");
    expect(maskPhone("+8613800001234")).toBe("138****1234");
  });
});

describe("console SMS provider", () => {
  it("logs the full code with a masked phone and keeps an outbox", async () => {
    const { lines, log } = recorder();
    const sent: string[] = [];
    const p = createConsoleSmsProvider(log, { onSend: (m) => sent.push(m.code) });
    expect(await p.sendCode({ phone: "+8613800000000", code: "123456", ttlMinutes: 5 })).toEqual({
      ok: true,
      providerMessageId: null,
    });
    await p.sendCode({ phone: "13900000000", code: "000111", ttlMinutes: 5 });
    expect(lines[0]?.msg).toBe("SMS code for 138****0000: 123456");
    expect(lines[0]?.obj).toMatchObject({ phone: "138****0000", code: "123456" });
    expect(sent).toEqual(["123456", "000111"]);
    expect(p.sent("13800000000").map((m) => m.code)).toEqual(["123456"]);
    expect(p.sent().map((m) => m.code)).toEqual(["000111", "123456"]);
  });
});

describe("createSmsProvider", () => {
  const { log } = recorder();

  it("defaults to the console provider", () => {
    expect(createSmsProvider(envSchema.parse({}), log).name).toBe("console");
  });

  it("builds the Aliyun provider from ALIYUN_SMS_*", () => {
    const config = envSchema.parse({
      SMS_PROVIDER: "aliyun",
      ALIYUN_SMS_ACCESS_KEY_ID: "id",
      ALIYUN_SMS_ACCESS_KEY_SECRET: "secret",
      ALIYUN_SMS_SIGN_NAME: "天空即兴",
      ALIYUN_SMS_TEMPLATE_CODE: "SMS_1",
    });
    expect(createSmsProvider(config, log).name).toBe("aliyun");
  });

  it("builds the Tencent provider from TENCENT_SMS_*", () => {
    const config = envSchema.parse({
      SMS_PROVIDER: "tencent",
      TENCENT_SMS_SECRET_ID: "id",
      TENCENT_SMS_SECRET_KEY: "key",
      TENCENT_SMS_SDK_APP_ID: "1400000000",
      TENCENT_SMS_SIGN_NAME: "天空即兴",
      TENCENT_SMS_TEMPLATE_ID: "1",
    });
    expect(createSmsProvider(config, log).name).toBe("tencent");
  });

  it("refuses a real provider without credentials", () => {
    const config = envSchema.parse({ SMS_PROVIDER: "tencent", TENCENT_SMS_SECRET_ID: "id" });
    expect(() => createSmsProvider(config, log)).toThrow(ConfigError);
    expect(() => createSmsProvider(config, log)).toThrow(/TENCENT_SMS_SECRET_KEY/);
  });
});
