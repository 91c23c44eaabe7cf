import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Production refuses to boot without DATABASE_URL; the test validates with a placeholder and then
  // runs on this run's database (PGlite, or the real PostgreSQL database the harness created).
  t = await startTestApp({
    env: { NODE_ENV: "production", DATABASE_URL: "postgres://placeholder/db" },
  });
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
    const config = await call(t, "GET", "/api/v1/config");
    expect(config.body.data.features).toEqual({ wechat_login: false, dev_tools: false });
    const init = await call(t, "POST", "/api/v1/auth/wechat/init", { body: { platform: "h5" } });
    expect(init.status).toBe(502);
  });
});
