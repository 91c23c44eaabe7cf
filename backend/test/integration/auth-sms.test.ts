import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import {
  call,
  deliveredCode,
  login,
  randomIp,
  startTestApp,
  type TestApp,
  uniquePhone,
} from "../helpers/app.js";

let t: TestApp;
// 09:00 in Shanghai, so a whole business day lies ahead of the clock moves below.
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-11-25T01:00:00Z") });
});
afterAll(async () => t?.close());

const send = (phone: unknown, ip = "10.1.1.1", headers: Record<string, string> = {}) =>
  call(t, "POST", "/api/v1/auth/sms/send", { body: { phone }, ip, headers });
const verify = (phone: string, code: string) =>
  call(t, "POST", "/api/v1/auth/sms/verify", { body: { phone, code } });
const codesFor = async (phone: string) =>
  (
    await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from sms_codes where phone = ${phone}`,
    )
  )[0]?.n;

describe("SMS login", () => {
  it("a code arrives, logs in, creates the user with zero wallets, and works only once", async () => {
    const phone = uniquePhone();
    const sent = await send(`+86${phone}`);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ code: 0, message: "ok", data: { expire_in: 300, resend_after: 60 } });
    const code = await deliveredCode(t, phone);
    expect(code).toMatch(/^\d{6}$/);

    const first = await verify(phone, code);
    expect(first.status).toBe(200);
    expect(first.body.data.is_new_user).toBe(true);
    expect(first.body.data.user.nickname).toMatch(/^用户\d{4}$/);
    expect(first.body.data.user.phone_masked).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: first.body.data.access_token });
    expect(wallets.body.data).toEqual({
      credits: { balance: 0 },
      coins: { available: "0.000", pending: "0.000", pending_details: [] },
    });

    const reused = await verify(phone, code);
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe(1007);

    t.clock.advance(61_000);
    await send(phone);
    const again = await verify(phone, await deliveredCode(t, phone));
    expect(again.body.data.is_new_user).toBe(false);
    expect(again.body.data.user.user_id).toBe(first.body.data.user.user_id);
  });

  it("the code is stored hashed, never in plain text", async () => {
    const phone = uniquePhone();
    await send(phone, randomIp());
    const code = await deliveredCode(t, phone);
    const rows = await queryRows<{ code_hash: string }>(
      t.ctx.db,
      sql`select code_hash from sms_codes where phone = ${phone}`,
    );
    expect(rows[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.code_hash).not.toContain(code);
  });

  it("a malformed phone is 400/1005 and stores nothing", async () => {
    for (const bad of ["1380013800", "23800138000", "abc", "+1 2025550123"]) {
      const res = await send(bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(1005);
      expect(await codesFor(bad)).toBe(0);
    }
  });

  it("unknown fields and wrong types are 422/4220 naming the field, in the request's language", async () => {
    const unknown = await call(t, "POST", "/api/v1/auth/sms/send", {
      body: { phone: uniquePhone(), admin: true },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe(4220);
    expect(unknown.body.data.fields).toHaveProperty("admin");
    expect(unknown.body.message).toBe("请求参数校验失败");
    const wrongType = await send(13800138000, "10.1.1.1", { "accept-language": "en-US,en;q=0.9" });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.data.fields).toHaveProperty("phone");
    expect(wrongType.body.message).toBe("Request validation failed");
  });

  it("a second send within 60 s is 429/1006 with retry_after", async () => {
    const phone = uniquePhone();
    expect((await send(phone, randomIp())).status).toBe(200);
    t.clock.advance(20_000);
    const res = await send(phone, randomIp());
    expect(res.status).toBe(429);
    expect(res.body.code).toBe(1006);
    expect(res.body.data.retry_after).toBe(40);
    expect(await codesFor(phone)).toBe(1);
  });

  it("at most 5 per hour and 10 per Shanghai day per phone", async () => {
    const phone = uniquePhone();
    for (let i = 0; i < 5; i++) {
      expect((await send(phone, randomIp())).status).toBe(200);
      t.clock.advance(61_000);
    }
    const sixth = await send(phone, randomIp());
    expect(sixth.status).toBe(429);
    expect(sixth.body.data.retry_after).toBeGreaterThan(3000);

    t.clock.advance(3600_000);
    for (let i = 0; i < 5; i++) {
      expect((await send(phone, randomIp())).status).toBe(200);
      t.clock.advance(13 * 60_000);
    }
    const eleventh = await send(phone, randomIp());
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.code).toBe(1006);
    const untilMidnight = (Date.parse("2026-11-25T16:00:00Z") - t.clock.now().getTime()) / 1000;
    // The request's clock read is a few ms before this one: allow the second it may straddle.
    expect(Math.abs(eleventh.body.data.retry_after - Math.ceil(untilMidnight))).toBeLessThanOrEqual(1);
    expect(await codesFor(phone)).toBe(10);
  });

  it("at most 20 per hour per IP", async () => {
    const ip = randomIp();
    for (let i = 0; i < 20; i++) expect((await send(uniquePhone(), ip)).status).toBe(200);
    const res = await send(uniquePhone(), ip);
    expect(res.status).toBe(429);
    expect(res.body.code).toBe(1006);
    expect(res.body.data.retry_after).toBeGreaterThan(0);
  });

  it("5 wrong tries kill the code: the 6th try, even with the right code, is 1007", async () => {
    const phone = uniquePhone();
    await send(phone, randomIp());
    const code = await deliveredCode(t, phone);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 1; i <= 5; i++) {
      const res = await verify(phone, wrong);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(1005);
      expect(res.body.data.attempts_left).toBe(5 - i);
    }
    const sixth = await verify(phone, code);
    expect(sixth.status).toBe(400);
    expect(sixth.body.code).toBe(1007);
  });

  it("a code expires after 5 minutes", async () => {
    const phone = uniquePhone();
    await send(phone, randomIp());
    const code = await deliveredCode(t, phone);
    t.clock.advance(301_000);
    const res = await verify(phone, code);
    expect(res.body.code).toBe(1007);
  });

  it("a new code replaces the previous one", async () => {
    const phone = uniquePhone();
    await send(phone, randomIp());
    const old = await deliveredCode(t, phone);
    t.clock.advance(61_000);
    await send(phone, randomIp());
    const fresh = await deliveredCode(t, phone);
    if (old !== fresh) expect((await verify(phone, old)).status).toBe(400);
    expect((await verify(phone, fresh)).status).toBe(200);
  });

  it("the dev outbox names only codes for that phone", async () => {
    const user = await login(t);
    const other = await call(t, "GET", `/api/v1/dev/sms/outbox?phone=${uniquePhone()}`);
    expect(other.body.data.items).toEqual([]);
    const mine = await call(t, "GET", `/api/v1/dev/sms/outbox?phone=${user.phone}`);
    expect(mine.body.data.items[0]).toMatchObject({ phone: user.phone, provider: "console" });
  });
});
