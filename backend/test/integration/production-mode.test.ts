import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";

const alipayKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (
  k: { export(o: { type: "pkcs8" | "spki"; format: "pem" }): string | Buffer },
  type: "pkcs8" | "spki",
) => k.export({ type, format: "pem" }).toString();

/** What a real deployment sets: real SMS, a real vendor, real payment channels. */
const PRODUCTION_ENV = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://placeholder/db",
  SMS_PROVIDER: "aliyun",
  ALIYUN_SMS_ACCESS_KEY_ID: "ak",
  ALIYUN_SMS_ACCESS_KEY_SECRET: "sk",
  ALIYUN_SMS_SIGN_NAME: "天空即兴",
  ALIYUN_SMS_TEMPLATE_CODE: "SMS_1",
  DYUAPI_API_KEY: "sk-dyu",
  PAY_CHANNELS: "alipay",
  ALIPAY_APP_ID: "2021000000000000",
  ALIPAY_PRIVATE_KEY: pem(alipayKeys.privateKey, "pkcs8"),
  ALIPAY_PUBLIC_KEY: pem(alipayKeys.publicKey, "spki"),
  ALIPAY_SELLER_ID: "2088000000000000",
  PAYOUT_CHANNELS: "alipay,bank_csv",
  WITHDRAWAL_ACCOUNT_KEY: "a".repeat(64),
};

let t: TestApp;
beforeAll(async () => {
  // The test validates with a placeholder DATABASE_URL and then runs on this run's database (PGlite, or
  // the real PostgreSQL database the harness created).
  t = await startTestApp({ env: PRODUCTION_ENV });
});
afterAll(async () => t?.close());

describe("NODE_ENV=production", () => {
  it("has no dev endpoints", async () => {
    const outbox = await call(t, "GET", "/api/v1/dev/sms/outbox?phone=13800138000");
    expect(outbox.status).toBe(404);
    expect(outbox.body.code).toBe(4004);
    const grant = await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: "x", credits: 1 } });
    expect(grant.status).toBe(404);
  });

  it("has no WeChat sandbox, and /config says WeChat login is off when unconfigured", async () => {
    expect((await t.app.inject({ url: "/sandbox/wechat/connect/oauth2/authorize" })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/sandbox/pay/cashier/${"0".repeat(32)}` })).statusCode).toBe(404);
    const complete = await call(t, "POST", "/api/v1/dev/payments/x/complete", {
      body: { result: "success" },
    });
    expect(complete.status).toBe(404);
    expect((await call(t, "GET", "/api/v1/config")).body.data.pay_channels).toEqual(["alipay"]);
    const config = await call(t, "GET", "/api/v1/config");
    expect(config.body.data.features).toEqual({ wechat_login: false, dev_tools: false });
    const init = await call(t, "POST", "/api/v1/auth/wechat/init", { body: { platform: "h5" } });
    expect(init.status).toBe(502);
  });

  it("refuses to boot on development providers, naming every variable to set", () => {
    const base = { JWT_SECRET: "x".repeat(32), APP_SECRET: "s", PUBLIC_BASE_URL: "https://skyriff.cn" };
    let message = "";
    try {
      loadConfig({
        ...base,
        NODE_ENV: "production",
        DATABASE_URL: "postgres://db/x",
        SIMULATED_VENDOR: "on",
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain("SMS_PROVIDER");
    expect(message).toContain("DYUAPI_API_KEY, ARK_API_KEY, DASHSCOPE_API_KEY");
    expect(message).toContain("PAY_CHANNELS");
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, PAY_CHANNELS: "alipay,sandbox" })).toThrow(
      /PAY_CHANNELS must not include sandbox/,
    );
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, SMS_PROVIDER: "tencent" })).toThrow(
      /TENCENT_SMS_SECRET_ID is required/,
    );
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, PAY_CHANNELS: "wechat" })).toThrow(
      /WECHATPAY_MCH_ID is required/,
    );
    expect(loadConfig({ ...base, ...PRODUCTION_ENV }).paymentChannels).toEqual(["alipay"]);
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, PAYOUT_CHANNELS: "alipay,sandbox" })).toThrow(
      /PAYOUT_CHANNELS must not include sandbox/,
    );
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, PAYOUT_CHANNELS: "wechat" })).toThrow(
      /WECHATPAY_MCH_ID is required for the wechat payout channel/,
    );
    expect(() => loadConfig({ ...base, ...PRODUCTION_ENV, WITHDRAWAL_ACCOUNT_KEY: "short" })).toThrow(
      /WITHDRAWAL_ACCOUNT_KEY must be 32 bytes/,
    );
    expect(loadConfig({ ...base, ...PRODUCTION_ENV }).payoutChannels).toEqual(["alipay", "bank_csv"]);
  });

  it("`NODE_ENV=production` with nothing configured: the process exits 1 and names each missing variable", async () => {
    const backendDir = path.resolve(import.meta.dirname, "../..");
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "src/main.ts", "api"], {
      cwd: backendDir,
      env: { PATH: process.env.PATH, NODE_ENV: "production" },
    });
    const failure = await run.then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    for (const name of [
      "JWT_SECRET",
      "APP_SECRET",
      "DATABASE_URL",
      "PUBLIC_BASE_URL",
      "SMS_PROVIDER",
      "DYUAPI_API_KEY",
      "PAY_CHANNELS",
      "PAYOUT_CHANNELS",
      "WITHDRAWAL_ACCOUNT_KEY",
    ]) {
      expect(failure?.stderr).toContain(name);
    }
  });

  it("`PAY_CHANNELS=sandbox` in production: the process refuses to boot", async () => {
    const backendDir = path.resolve(import.meta.dirname, "../..");
    const env = {
      PATH: process.env.PATH,
      ...PRODUCTION_ENV,
      JWT_SECRET: "x".repeat(32),
      APP_SECRET: "s",
      PUBLIC_BASE_URL: "https://skyriff.cn",
      PAY_CHANNELS: "sandbox",
    };
    const failure = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/main.ts", "api"], {
      cwd: backendDir,
      env,
    }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("PAY_CHANNELS must not include sandbox");
    expect(failure?.stderr).not.toContain("SMS_PROVIDER");
  });
});

describe("dev tools outside production", () => {
  let dev: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    dev = await startTestApp({ env: { NODE_ENV: "development" } });
    open = await startTestApp({ env: { NODE_ENV: "development", DEV_TOOLS: "1" } });
  });
  afterAll(async () => {
    await dev?.close();
    await open?.close();
  });

  it("answer loopback clients only, unless DEV_TOOLS=1", async () => {
    const url = "/api/v1/dev/sms/outbox?phone=13800138000";
    expect((await call(dev, "GET", url, { ip: "127.0.0.1" })).status).toBe(200);
    expect((await call(dev, "GET", url, { ip: "::1" })).status).toBe(200);
    const remote = await call(dev, "GET", url, { ip: "203.0.113.9" });
    expect(remote.status).toBe(404);
    expect(remote.body.code).toBe(4004);
    const grant = await call(dev, "POST", "/api/v1/dev/grant", {
      ip: "192.168.1.20",
      body: { user_id: "01900000-0000-7000-8000-000000000000", credits: 100 },
    });
    expect(grant.status).toBe(404);
    expect((await call(open, "GET", url, { ip: "203.0.113.9" })).status).toBe(200);
  });
});
