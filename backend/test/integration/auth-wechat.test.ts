import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWechatOAuthClient } from "../../src/providers/wechat-oauth/client.js";
import {
  createWechatSandboxStore,
  issueSandboxCode,
  type WechatSandboxStore,
  wechatSandboxPlugin,
} from "../../src/providers/wechat-oauth/sandbox.js";
import { call, deliveredCode, login, startTestApp, type TestApp, uniquePhone } from "../helpers/app.js";

// The WeChat side runs as its own HTTP server (the sandbox speaks the real /sns/* protocol).
let wechat: FastifyInstance;
let store: WechatSandboxStore;
let t: TestApp;
const appId = "wx_test_app";
const appSecret = "wx_test_secret";

beforeAll(async () => {
  store = createWechatSandboxStore();
  wechat = Fastify();
  await wechat.register(wechatSandboxPlugin, { appId, appSecret, store });
  const base = await wechat.listen({ port: 0, host: "127.0.0.1" });
  t = await startTestApp({
    server: { wechat: createWechatOAuthClient({ appId, appSecret, apiBase: base, authorizeBase: base }) },
  });
});
afterAll(async () => {
  await t?.close();
  await wechat?.close();
});

async function wechatLogin(nickname: string, referralCode?: string) {
  const init = await call(t, "POST", "/api/v1/auth/wechat/init", {
    body: { platform: "h5", redirect_uri: "http://skyriff.test/login/wechat" },
  });
  expect(init.status).toBe(200);
  const code = issueSandboxCode(store, nickname);
  const res = await call(t, "POST", "/api/v1/auth/wechat/callback", {
    body: { code, state: init.body.data.state, ...(referralCode ? { referral_code: referralCode } : {}) },
  });
  return { init, code, res };
}

describe("WeChat OAuth", () => {
  it("a referral code at a new WeChat account's first login binds it to the promoter (+50 credits)", async () => {
    const promoter = await login(t);
    const order = await call(t, "POST", "/api/v1/promoter/activate", {
      token: promoter.access_token,
      body: { pay_channel: "sandbox" },
    });
    await call(t, "POST", `/api/v1/dev/payments/${order.body.data.payment_id}/complete`, {
      body: { result: "success" },
    });
    const code = (await call(t, "GET", "/api/v1/promoter/me", { token: promoter.access_token })).body.data
      .referral_code;
    const { res } = await wechatLogin("受邀的微信用户", code);
    expect(res.body.data.is_new_user).toBe(true);
    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: res.body.data.access_token });
    expect(wallets.body.data.credits.balance).toBe(50);
    const me = await call(t, "GET", "/api/v1/promoter/me", { token: res.body.data.access_token });
    expect(me.body.data.invited_by.user_id).toBe(promoter.user.user_id);
  });

  it("init returns the app id, a state and the authorize URL carrying both", async () => {
    const { init } = await wechatLogin("阿杰");
    expect(init.body.data.app_id).toBe(appId);
    const url = new URL(init.body.data.authorize_url);
    expect(url.pathname).toBe("/connect/oauth2/authorize");
    expect(url.searchParams.get("appid")).toBe(appId);
    expect(url.searchParams.get("state")).toBe(init.body.data.state);
    expect(url.searchParams.get("redirect_uri")).toBe("http://skyriff.test/login/wechat");
  });

  it("a callback logs in, keyed by unionid: the same WeChat user comes back as the same account", async () => {
    const first = await wechatLogin("小美");
    expect(first.res.status).toBe(200);
    expect(first.res.body.data.is_new_user).toBe(true);
    expect(first.res.body.data.user).toMatchObject({
      nickname: "小美",
      wechat_bound: true,
      has_phone: false,
    });
    const again = await wechatLogin("小美");
    expect(again.res.body.data.is_new_user).toBe(false);
    expect(again.res.body.data.user.user_id).toBe(first.res.body.data.user.user_id);
    const other = await wechatLogin("小王");
    expect(other.res.body.data.user.user_id).not.toBe(first.res.body.data.user.user_id);
  });

  it("a used state or a used code is refused and creates nobody", async () => {
    const { init, code } = await wechatLogin("重复");
    const sameState = await call(t, "POST", "/api/v1/auth/wechat/callback", {
      body: { code, state: init.body.data.state },
    });
    expect(sameState.status).toBe(400);
    expect(sameState.body.code).toBe(1005);
    const fresh = await call(t, "POST", "/api/v1/auth/wechat/init", { body: { platform: "h5" } });
    const usedCode = await call(t, "POST", "/api/v1/auth/wechat/callback", {
      body: { code, state: fresh.body.data.state },
    });
    expect(usedCode.status).toBe(400);
    expect(usedCode.body.data.wechat_errcode).toBe(40163);
  });

  it("an expired state (10 minutes) is refused", async () => {
    const init = await call(t, "POST", "/api/v1/auth/wechat/init", { body: { platform: "app" } });
    expect(init.body.data.authorize_url).toBeNull();
    t.clock.advance(10 * 60_000 + 1000);
    const res = await call(t, "POST", "/api/v1/auth/wechat/callback", {
      body: { code: issueSandboxCode(store, "迟到"), state: init.body.data.state },
    });
    expect(res.status).toBe(400);
  });

  it("a WeChat-only user binds a phone with an SMS code; a phone can belong to one account only", async () => {
    const { res } = await wechatLogin("绑定者");
    const token = res.body.data.access_token;
    const phone = uniquePhone();
    await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone } });
    const wrong = await call(t, "POST", "/api/v1/me/bind_phone", { token, body: { phone, code: "000000x" } });
    expect(wrong.status).toBe(400);
    const bound = await call(t, "POST", "/api/v1/me/bind_phone", {
      token,
      body: { phone, code: await deliveredCode(t, phone) },
    });
    expect(bound.status).toBe(200);
    expect(bound.body.data).toMatchObject({ has_phone: true, wechat_bound: true });
    // Logging in by SMS with that phone now reaches the same account.
    t.clock.advance(61_000);
    const viaSms = await login(t, phone);
    expect(viaSms.user.user_id).toBe(res.body.data.user.user_id);

    const twice = await call(t, "POST", "/api/v1/me/bind_phone", {
      token,
      body: { phone: uniquePhone(), code: "123456" },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe(2007);
    const someone = await wechatLogin("另一个人");
    const taken = await call(t, "POST", "/api/v1/me/bind_phone", {
      token: someone.res.body.data.access_token,
      body: { phone, code: "123456" },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe(2007);
  });

  it("WeChat being down is 502/4002", async () => {
    const down = await startTestApp({
      server: {
        wechat: createWechatOAuthClient({ appId, appSecret, apiBase: "http://127.0.0.1:9", timeoutMs: 500 }),
      },
    });
    try {
      const init = await call(down, "POST", "/api/v1/auth/wechat/init", { body: { platform: "h5" } });
      const res = await call(down, "POST", "/api/v1/auth/wechat/callback", {
        body: { code: "c", state: init.body.data.state },
      });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe(4002);
    } finally {
      await down.close();
    }
  });
});
