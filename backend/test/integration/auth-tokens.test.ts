import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_GRACE_MS } from "../../src/modules/auth/service.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const me = (token: string) => call(t, "GET", "/api/v1/me", { token });
const refresh = (refresh_token: string) =>
  call(t, "POST", "/api/v1/auth/refresh", { body: { refresh_token } });

describe("access and refresh tokens", () => {
  it("an access token opens /me for 7 days, then is 401/1002", async () => {
    const user = await login(t);
    expect(user.expires_in).toBe(7 * 24 * 3600);
    expect((await me(user.access_token)).body.data.user_id).toBe(user.user.user_id);
    t.clock.advance(7 * 24 * 3600_000 - 60_000);
    expect((await me(user.access_token)).status).toBe(200);
    t.clock.advance(61_000);
    const expired = await me(user.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe(1002);
    const renewed = await refresh(user.refresh_token);
    expect(renewed.status).toBe(200);
    expect((await me(renewed.body.data.access_token)).status).toBe(200);
  });

  it("a tampered or missing token is 401/1001", async () => {
    const user = await login(t);
    const [h, p, s] = user.access_token.split(".") as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith("AA") ? "BB" : "AA"}`;
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: "someone-else", sid: "x", typ: "access", exp: 9e9 }),
    ).toString("base64url");
    for (const bad of [flipped, `${h}.${forgedPayload}.${s}`, "not-a-jwt"]) {
      const res = await me(bad);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe(1001);
    }
    const none = await call(t, "GET", "/api/v1/me");
    expect(none.status).toBe(401);
    expect(none.body.code).toBe(1001);
  });

  it("refresh rotates both tokens; a rotated token re-used after the grace window revokes the whole family", async () => {
    const user = await login(t);
    const first = await refresh(user.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.data.refresh_token).not.toBe(user.refresh_token);
    const second = await refresh(first.body.data.refresh_token);
    expect(second.status).toBe(200);

    t.clock.advance(REFRESH_GRACE_MS + 1000);
    const reuse = await refresh(user.refresh_token);
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ code: 1001, data: { reason: "refresh_token_reused" } });
    // Every token of the family is dead now: the latest refresh token and every access token.
    expect((await refresh(second.body.data.refresh_token)).status).toBe(401);
    for (const token of [user.access_token, first.body.data.access_token, second.body.data.access_token]) {
      expect((await me(token)).status).toBe(401);
    }
    // Another login of the same person is a different family and still works.
    t.clock.advance(61_000);
    const other = await login(t, user.phone);
    expect((await me(other.access_token)).status).toBe(200);
  });

  it("two tabs refreshing with the same token (at once, or a few seconds apart) both get the same new pair", async () => {
    expect((await refresh("rt_unknown")).status).toBe(401);
    const user = await login(t);
    const [a, b] = await Promise.all([refresh(user.refresh_token), refresh(user.refresh_token)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.data).toEqual(a.body.data);
    expect(a.body.data.refresh_token).not.toBe(user.refresh_token);
    t.clock.advance(REFRESH_GRACE_MS - 2000);
    const late = await refresh(user.refresh_token);
    expect(late.status).toBe(200);
    expect(late.body.data).toEqual(a.body.data);
    // The shared pair is a normal live pair: it opens /me and rotates on.
    expect((await me(a.body.data.access_token)).status).toBe(200);
    const next = await refresh(a.body.data.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.data.refresh_token).not.toBe(a.body.data.refresh_token);
    expect((await me(next.body.data.access_token)).status).toBe(200);
  });

  it("the Bearer scheme is case-insensitive", async () => {
    const user = await login(t);
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const res = await call(t, "GET", "/api/v1/me", {
        headers: { authorization: `${scheme} ${user.access_token}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it("logout with only the bearer token ends that session (no body, or an empty JSON body)", async () => {
    for (const headers of [{}, { "content-type": "application/json" }]) {
      const user = await login(t);
      const out = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/logout",
        headers: { authorization: `Bearer ${user.access_token}`, ...headers },
      });
      expect(out.statusCode).toBe(200);
      expect(out.json().data).toEqual({ logged_out: true });
      expect((await me(user.access_token)).status).toBe(401);
      expect((await refresh(user.refresh_token)).status).toBe(401);
    }
  });

  it("logout ends the session: access and refresh tokens stop working", async () => {
    const user = await login(t);
    const out = await call(t, "POST", "/api/v1/auth/logout", {
      token: user.access_token,
      body: { refresh_token: user.refresh_token },
    });
    expect(out.status).toBe(200);
    expect((await me(user.access_token)).status).toBe(401);
    expect((await refresh(user.refresh_token)).status).toBe(401);
  });

  it("a banned user gets 403/1004 on every call and cannot log in", async () => {
    const user = await login(t);
    await t.ctx.db.execute(sql`update users set status = 'banned' where id = ${user.user.user_id}`);
    t.ctx.sessions.forget(
      (
        JSON.parse(Buffer.from(user.access_token.split(".")[1] ?? "", "base64url").toString()) as {
          sid: string;
        }
      ).sid,
    );
    for (const url of ["/api/v1/me", "/api/v1/me/wallets", "/api/v1/me/home"]) {
      const res = await call(t, "GET", url, { token: user.access_token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(1004);
    }
    expect((await refresh(user.refresh_token)).body.code).toBe(1004);
    t.clock.advance(61_000);
    await expect(login(t, user.phone)).rejects.toThrow(/1004/);
  });
});

describe("profile", () => {
  it("PATCH /me/profile changes nickname and bio; bad input changes nothing", async () => {
    const user = await login(t);
    const ok = await call(t, "PATCH", "/api/v1/me/profile", {
      token: user.access_token,
      body: { nickname: "小雨", bio: "爱拍短片" },
    });
    expect(ok.body.data).toMatchObject({ nickname: "小雨", bio: "爱拍短片" });
    for (const body of [
      {},
      { nickname: "" },
      { nickname: "x".repeat(21) },
      { nickname: "a", is_creator: true },
    ]) {
      const bad = await call(t, "PATCH", "/api/v1/me/profile", { token: user.access_token, body });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe(4220);
    }
    const missingAsset = await call(t, "PATCH", "/api/v1/me/profile", {
      token: user.access_token,
      body: { avatar_asset_id: "nope" },
    });
    expect(missingAsset.status).toBe(404);
    expect((await me(user.access_token)).body.data).toMatchObject({
      nickname: "小雨",
      bio: "爱拍短片",
      is_creator: false,
    });
  });

  it("GET /me/home has the user card and the three wallets at zero", async () => {
    const user = await login(t);
    const home = await call(t, "GET", "/api/v1/me/home", { token: user.access_token });
    expect(home.body.data.user.user_id).toBe(user.user.user_id);
    expect(home.body.data.wallets.credits.balance).toBe(0);
    expect(home.body.data.wallets.coins).toMatchObject({ available: "0.000", pending: "0.000" });
  });
});

describe("errors", () => {
  it("unknown API paths are the 404 envelope, localized", async () => {
    const res = await call(t, "GET", "/api/v1/nope", { headers: { "accept-language": "en" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 4004, message: "Not found", data: null });
  });

  it("a body that is not JSON is 422/4220 without a stack trace", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/sms/send",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe(4220);
    expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
