import { eq, inArray } from "drizzle-orm";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postings, users } from "../../src/db/schema/index.js";
import { accountsOf, balancesOf, platform, post, reconcile } from "../../src/ledger/index.js";
import { createWechatOAuthClient } from "../../src/providers/wechat-oauth/client.js";
import {
  createWechatSandboxStore,
  issueSandboxCode,
  type WechatSandboxStore,
  wechatSandboxPlugin,
} from "../../src/providers/wechat-oauth/sandbox.js";
import { call, deliveredCode, login, startTestApp, type TestApp, uniquePhone } from "../helpers/app.js";
import { makePng, multipart } from "../helpers/images.js";

// WeChat runs as its own HTTP server (the sandbox speaks the real /sns/* protocol), as in auth-wechat.test.ts.
let wechat: FastifyInstance;
let store: WechatSandboxStore;
let t: TestApp;
const appId = "wx_account_app";
const appSecret = "wx_account_secret";

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

let keyCounter = 0;
const key = (name: string) => `test-${name}-${++keyCounter}-${Date.now()}`;

const me = (token: string) => call(t, "GET", "/api/v1/me", { token });
const deleteAccount = (token: string, idempotencyKey = key("delete")) =>
  call(t, "POST", "/api/v1/me/delete_account", { token, headers: { "idempotency-key": idempotencyKey } });

async function grant(userId: string, credits: number) {
  const res = await call(t, "POST", "/api/v1/dev/grant", {
    body: { user_id: userId, credits },
    headers: { "idempotency-key": key("grant") },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Coins (no feature pays coins yet): available and a pending lot, straight through the ledger. */
async function giveCoins(userId: string, availableMilli: bigint, pendingMilli: bigint) {
  const acc = accountsOf(userId);
  await t.ctx.db.transaction((tx) =>
    post(tx, {
      businessKey: `test:coins:${userId}`,
      type: "creator_tip_income",
      postings: [
        { account: acc.coinsAvailable, amount: availableMilli, entryType: "creator_tip_income" },
        {
          account: acc.coinsPending,
          amount: pendingMilli,
          entryType: "creator_tip_income",
          status: "pending",
          unlockAt: new Date(Date.now() + 7 * 24 * 3600_000),
        },
        {
          account: platform.coinsCreatorPayable(userId),
          amount: -(availableMilli + pendingMilli),
          entryType: "tip",
        },
      ],
    }),
  );
}

async function wechatLogin(nickname: string) {
  const init = await call(t, "POST", "/api/v1/auth/wechat/init", {
    body: { platform: "h5", redirect_uri: "http://skyriff.test/login/wechat" },
  });
  expect(init.status).toBe(200);
  const res = await call(t, "POST", "/api/v1/auth/wechat/callback", {
    body: { code: issueSandboxCode(store, nickname), state: init.body.data.state },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function upload(token: string) {
  const form = multipart(makePng(48, 48), "avatar.png", "image/png");
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/media/upload",
    headers: { authorization: `Bearer ${token}`, "content-type": form.contentType },
    payload: form.payload,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as { asset_id: string; url: string };
}

describe("注销账号 (POST /me/delete_account)", () => {
  it("forfeits every balance through the ledger, keeps its rows, revokes every session and frees the phone", async () => {
    const phone = uniquePhone();
    const first = await login(t, phone);
    t.clock.advance(61_000);
    const second = await login(t, phone); // another device: a second session of the same account
    const userId = first.user.user_id;
    expect(second.user.user_id).toBe(userId);
    const bystander = await login(t);
    await grant(userId, 100);
    await grant(bystander.user.user_id, 50);
    await giveCoins(userId, 1500n, 250n);

    const res = await deleteAccount(second.access_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({
      deleted: true,
      forfeited: { credits: 100, coins_available: "1.500", coins_pending: "0.250" },
    });

    // Every token of every session is dead: access tokens 401/1001, refresh tokens too.
    for (const session of [first, second]) {
      const after = await me(session.access_token);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe(1001);
      const refresh = await call(t, "POST", "/api/v1/auth/refresh", {
        body: { refresh_token: session.refresh_token },
      });
      expect(refresh.status).toBe(401);
    }
    expect((await deleteAccount(first.access_token)).status).toBe(401);

    // The ledger kept every row and added the forfeiture; the user's accounts are at zero.
    const acc = accountsOf(userId);
    const ids = [acc.credits.id, acc.coinsAvailable.id, acc.coinsPending.id];
    const rows = await t.ctx.db
      .select({ accountId: postings.accountId, amount: postings.amount, entryType: postings.entryType })
      .from(postings)
      .where(inArray(postings.accountId, ids));
    expect(rows.filter((r) => r.entryType === "bonus")).toEqual([
      { accountId: acc.credits.id, amount: 100n, entryType: "bonus" },
    ]);
    expect(
      rows
        .filter((r) => r.entryType === "account_forfeit")
        .map((r) => [r.accountId, r.amount])
        .sort(),
    ).toEqual(
      [
        [acc.credits.id, -100n],
        [acc.coinsAvailable.id, -1500n],
        [acc.coinsPending.id, -250n],
      ].sort(),
    );
    const balances = await balancesOf(t.ctx.db, [
      ...ids,
      platform.creditsForfeited.id,
      platform.coinsForfeited.id,
    ]);
    for (const id of ids) expect(balances.get(id)).toBe(0n);
    expect(balances.get(platform.creditsForfeited.id)).toBe(100n);
    expect(balances.get(platform.coinsForfeited.id)).toBe(1750n);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);

    // The row stays, anonymised.
    const [row] = await t.ctx.db.select().from(users).where(eq(users.id, userId));
    expect(row).toMatchObject({
      status: "deleted",
      nickname: "已注销用户",
      phone: null,
      avatarUrl: null,
      avatarStorageKey: null,
      bio: "",
      wechatOpenid: null,
      wechatUnionid: null,
    });
    expect(row?.deletedAt).toBeInstanceOf(Date);

    // The phone signs up again as a brand-new account with zero wallets and an empty ledger.
    t.clock.advance(61_000);
    const again = await login(t, phone);
    expect(again.is_new_user).toBe(true);
    expect(again.user.user_id).not.toBe(userId);
    expect(again.user.phone_masked).toContain(phone.slice(-4));
    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: again.access_token });
    expect(wallets.body.data).toMatchObject({
      credits: { balance: 0 },
      coins: { available: "0.000", pending: "0.000" },
    });
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: again.access_token });
    expect(ledger.body.data.items).toEqual([]);

    // Another user's account is untouched.
    const other = await me(bystander.access_token);
    expect(other.status).toBe(200);
    expect(other.body.data.phone_masked).toContain(bystander.phone.slice(-4));
    const otherWallets = await call(t, "GET", "/api/v1/me/wallets", { token: bystander.access_token });
    expect(otherWallets.body.data.credits.balance).toBe(50);
  });

  it("a double tap with the same Idempotency-Key forfeits once and answers the same", async () => {
    const user = await login(t);
    await grant(user.user.user_id, 30);
    const idem = key("double");
    const [a, b] = await Promise.all([
      deleteAccount(user.access_token, idem),
      deleteAccount(user.access_token, idem),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    expect(a.body.data.forfeited.credits).toBe(30);
    const forfeits = await t.ctx.db
      .select({ amount: postings.amount })
      .from(postings)
      .where(eq(postings.accountId, accountsOf(user.user.user_id).credits.id));
    expect(forfeits.map((r) => r.amount).sort()).toEqual([-30n, 30n]);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("is refused (409/2007) while a generation task is unfinished, and nothing changes", async () => {
    const user = await login(t);
    await grant(user.user.user_id, 20);
    const task = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      headers: { "idempotency-key": key("task") },
      body: { prompt: "海边的橘猫", duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
    });
    expect(task.status, JSON.stringify(task.body)).toBe(200);
    const refused = await deleteAccount(user.access_token);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 2007, data: { unfinished_tasks: 1 } });
    expect((await me(user.access_token)).status).toBe(200);
    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
    expect(wallets.body.data.credits.balance).toBe(10);
  });

  it("a closed WeChat account frees its WeChat identity: the same WeChat user signs up anew", async () => {
    const first = await wechatLogin("注销测试微信");
    expect((await deleteAccount(first.access_token)).status).toBe(200);
    const again = await wechatLogin("注销测试微信");
    expect(again.is_new_user).toBe(true);
    expect(again.user.user_id).not.toBe(first.user.user_id);
  });
});

describe("profile: avatar from an own upload (PATCH /me/profile)", () => {
  it("an own upload becomes the avatar, served by a long-lived signed link on /me and /me/home", async () => {
    const user = await login(t);
    const image = await upload(user.access_token);
    const res = await call(t, "PATCH", "/api/v1/me/profile", {
      token: user.access_token,
      body: { avatar_asset_id: image.asset_id, nickname: "小橘子", bio: "爱拍猫" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ nickname: "小橘子", bio: "爱拍猫" });
    const avatarUrl: string = res.body.data.avatar_url;
    expect(avatarUrl).toMatch(/\/files\/avatars\//);

    const again = await me(user.access_token);
    expect(again.body.data.avatar_url).toBe(avatarUrl);
    const home = await call(t, "GET", "/api/v1/me/home", { token: user.access_token });
    expect(home.body.data.user.avatar_url).toBe(avatarUrl);

    // The link works without a token and lasts days, not the hour of an upload link.
    const exp = Number(new URL(avatarUrl, "http://x").searchParams.get("exp"));
    expect(exp * 1000 - Date.now()).toBeGreaterThan(6 * 24 * 3600_000 - 60_000);
    const served = await t.app.inject({ url: avatarUrl });
    expect(served.statusCode).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    const original = await t.app.inject({ url: image.url });
    expect(served.rawPayload.equals(original.rawPayload)).toBe(true);

    // Removing it falls back to the default avatar.
    const cleared = await call(t, "PATCH", "/api/v1/me/profile", {
      token: user.access_token,
      body: { avatar_asset_id: null },
    });
    expect(cleared.body.data.avatar_url).toBe("/static/default-avatar.svg");
  });

  it("another user's asset id (or an unknown one) is 404 and changes nothing", async () => {
    const owner = await login(t);
    const other = await login(t);
    const image = await upload(owner.access_token);
    const before = (await me(other.access_token)).body.data.avatar_url;
    for (const assetId of [image.asset_id, "01900000-0000-7000-8000-000000000000"]) {
      const res = await call(t, "PATCH", "/api/v1/me/profile", {
        token: other.access_token,
        body: { avatar_asset_id: assetId },
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe(4004);
    }
    expect((await me(other.access_token)).body.data.avatar_url).toBe(before);
    // The very same id works for its owner.
    const own = await call(t, "PATCH", "/api/v1/me/profile", {
      token: owner.access_token,
      body: { avatar_asset_id: image.asset_id },
    });
    expect(own.status).toBe(200);
    expect(own.body.data.avatar_url).toMatch(/\/files\/avatars\//);
  });
});

describe("a WeChat-only user binds a phone (POST /me/bind_phone)", () => {
  it("binds with an SMS code; the phone then logs in to the same account", async () => {
    const wx = await wechatLogin("绑定手机号的人");
    expect(wx.user).toMatchObject({ has_phone: false, phone_masked: null, wechat_bound: true });
    const phone = uniquePhone();
    const sent = await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone } });
    expect(sent.status).toBe(200);
    const bound = await call(t, "POST", "/api/v1/me/bind_phone", {
      token: wx.access_token,
      body: { phone, code: await deliveredCode(t, phone) },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect(bound.body.data).toMatchObject({ has_phone: true, wechat_bound: true });
    expect((await me(wx.access_token)).body.data.phone_masked).toContain(phone.slice(-4));
    t.clock.advance(61_000);
    const viaSms = await login(t, phone);
    expect(viaSms.is_new_user).toBe(false);
    expect(viaSms.user.user_id).toBe(wx.user.user_id);
  });
});
