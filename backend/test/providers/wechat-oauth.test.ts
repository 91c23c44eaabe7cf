import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWechatOAuthClient, WechatTransportError } from "../../src/providers/wechat-oauth/client.js";
import {
  createWechatSandboxStore,
  issueSandboxCode,
  sandboxIdentity,
  wechatSandboxPlugin,
} from "../../src/providers/wechat-oauth/sandbox.js";
import { WechatOAuthError } from "../../src/providers/wechat-oauth/types.js";

const appId = "wx0000sandbox0001";
const appSecret = "sandbox-app-secret";
let clock = Date.now();
const store = createWechatSandboxStore({ now: () => clock });
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify({ logger: false });
  await app.register(wechatSandboxPlugin, { prefix: "/sandbox/wechat", appId, appSecret, store });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sandbox/wechat`;
});
afterAll(async () => {
  await app.close();
});

function client(over: { appId?: string; appSecret?: string; timeoutMs?: number; apiBase?: string } = {}) {
  return createWechatOAuthClient({ appId, appSecret, apiBase: base, authorizeBase: base, ...over });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("WeChat OAuth client", () => {
  it("builds authorize URLs per platform", () => {
    const c = createWechatOAuthClient({ appId, appSecret });
    expect(c.appId).toBe(appId);
    expect(c.authorizeUrl({ platform: "app", redirectUri: "https://x/cb", state: "s" })).toBeNull();
    expect(
      c.authorizeUrl({
        platform: "h5",
        redirectUri: "https://skyriff.example/auth/wechat?x=1",
        state: "abc123",
      }),
    ).toBe(
      "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0000sandbox0001" +
        "&redirect_uri=https%3A%2F%2Fskyriff.example%2Fauth%2Fwechat%3Fx%3D1" +
        "&response_type=code&scope=snsapi_userinfo&state=abc123#wechat_redirect",
    );
    expect(c.authorizeUrl({ platform: "web", redirectUri: "https://x/cb", state: "s" })).toBe(
      "https://open.weixin.qq.com/connect/qrconnect?appid=wx0000sandbox0001&redirect_uri=https%3A%2F%2Fx%2Fcb" +
        "&response_type=code&scope=snsapi_login&state=s#wechat_redirect",
    );
  });

  it("logs in through the consent page, the confirm form, access_token and userinfo", async () => {
    const c = client();
    const url = c.authorizeUrl({
      platform: "h5",
      redirectUri: "http://localhost:5173/login/wechat",
      state: "st4te",
    });
    expect(url).not.toBeNull();
    const pageRes = await fetch(url ?? "");
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers.get("content-type")).toContain("text/html");
    const html = await pageRes.text();
    expect(html).toContain("微信授权登录（沙箱）");
    expect(html).toContain('value="微信用户"');
    expect(html).toMatch(/<button[^>]*type="submit"[^>]*>确认登录<\/button>/);
    expect(html).toContain('action="confirm"');

    const form = new URLSearchParams({
      appid: appId,
      redirect_uri: "http://localhost:5173/login/wechat",
      scope: "snsapi_userinfo",
      state: "st4te",
      nickname: "小明",
      action: "allow",
    });
    const confirm = await fetch(`${base}/connect/oauth2/confirm`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    expect(confirm.status).toBe(302);
    const location = new URL(confirm.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("http://localhost:5173/login/wechat");
    expect(location.searchParams.get("state")).toBe("st4te");
    const code = location.searchParams.get("code") ?? "";
    expect(code).not.toBe("");

    const token = await c.exchangeCode(code);
    const expected = sandboxIdentity(appSecret, "小明");
    expect(token).toMatchObject({
      openid: expected.openid,
      unionid: expected.unionid,
      scope: "snsapi_userinfo",
      expiresIn: 7200,
    });
    expect(token.accessToken.length).toBeGreaterThan(20);

    const info = await c.userInfo(token.accessToken, token.openid);
    expect(info).toEqual({
      openid: expected.openid,
      unionid: expected.unionid,
      nickname: "小明",
      headimgurl: null,
    });
  });

  it("declining on the consent page returns only the state", async () => {
    const form = new URLSearchParams({
      appid: appId,
      redirect_uri: "http://localhost:5173/cb",
      scope: "snsapi_userinfo",
      state: "s1",
      action: "deny",
    });
    const res = await fetch(`${base}/connect/oauth2/confirm`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toBeNull();
    expect(location.searchParams.get("state")).toBe("s1");
  });

  it("gives the same nickname the same identity and different nicknames different ones", async () => {
    const c = client();
    const a1 = await c.exchangeCode(issueSandboxCode(store, "阿强"));
    const a2 = await c.exchangeCode(issueSandboxCode(store, " 阿强 "));
    const b = await c.exchangeCode(issueSandboxCode(store, "阿珍"));
    expect(a1.openid).toBe(a2.openid);
    expect(a1.unionid).toBe(a2.unionid);
    expect(b.openid).not.toBe(a1.openid);
    expect(b.unionid).not.toBe(a1.unionid);
    expect(a1.openid).toMatch(/^o[\w-]{27}$/);
  });

  it("refuses a reused code with 40163 and an unknown one with 40029", async () => {
    const c = client();
    const code = issueSandboxCode(store, "微信用户");
    await c.exchangeCode(code);
    const reused = await rejection(c.exchangeCode(code));
    expect(reused).toBeInstanceOf(WechatOAuthError);
    expect((reused as WechatOAuthError).errcode).toBe(40163);
    const unknown = await rejection(c.exchangeCode("no-such-code"));
    expect((unknown as WechatOAuthError).errcode).toBe(40029);
  });

  it("expires codes after 5 minutes", async () => {
    const code = issueSandboxCode(store, "迟到的人");
    clock += 5 * 60 * 1000 + 1;
    try {
      const err = await rejection(client().exchangeCode(code));
      expect((err as WechatOAuthError).errcode).toBe(40029);
    } finally {
      clock = Date.now();
    }
  });

  it("refuses a wrong secret (40125) and a wrong appid (40013)", async () => {
    const badSecret = await rejection(
      client({ appSecret: "nope" }).exchangeCode(issueSandboxCode(store, "x")),
    );
    expect(badSecret).toBeInstanceOf(WechatOAuthError);
    expect((badSecret as WechatOAuthError).errcode).toBe(40125);
    const badAppId = await rejection(client({ appId: "wxother" }).exchangeCode(issueSandboxCode(store, "x")));
    expect((badAppId as WechatOAuthError).errcode).toBe(40013);
  });

  it("refuses a bad access token (40001) and a foreign openid (40003)", async () => {
    const c = client();
    const token = await c.exchangeCode(issueSandboxCode(store, "小红"));
    const badToken = await rejection(c.userInfo("not-a-token", token.openid));
    expect((badToken as WechatOAuthError).errcode).toBe(40001);
    const other = sandboxIdentity(appSecret, "别人").openid;
    const badOpenid = await rejection(c.userInfo(token.accessToken, other));
    expect((badOpenid as WechatOAuthError).errcode).toBe(40003);
  });

  it("refuses userinfo for a snsapi_base grant (48001)", async () => {
    const c = client();
    const token = await c.exchangeCode(issueSandboxCode(store, "静默用户", "snsapi_base"));
    expect(token.scope).toBe("snsapi_base");
    const err = await rejection(c.userInfo(token.accessToken, token.openid));
    expect((err as WechatOAuthError).errcode).toBe(48001);
  });

  it("shows an error page for a foreign appid", async () => {
    const res = await fetch(
      `${base}/connect/oauth2/authorize?appid=wxother&redirect_uri=${encodeURIComponent("http://x/cb")}&response_type=code&scope=snsapi_userinfo&state=s`,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("10016");
  });

  it("serves the web (qrconnect) consent page with a form that reaches the confirm route", async () => {
    const url =
      client().authorizeUrl({ platform: "web", redirectUri: "http://localhost/cb", state: "w" }) ?? "";
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1] ?? "";
    expect(new URL(action, url).pathname).toBe("/sandbox/wechat/connect/oauth2/confirm");
  });

  describe("transport failures", () => {
    let hanging: Server;
    let hangingBase: string;
    beforeAll(async () => {
      hanging = createServer(() => {
        /* never answers */
      });
      await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
      hangingBase = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    });

    it("times out without leaking the secret", async () => {
      const err = await rejection(client({ apiBase: hangingBase, timeoutMs: 150 }).exchangeCode("c"));
      expect(err).toBeInstanceOf(WechatTransportError);
      expect((err as Error).message).toContain("no answer");
      expect((err as Error).message).not.toContain(appSecret);
    });
  });
});
