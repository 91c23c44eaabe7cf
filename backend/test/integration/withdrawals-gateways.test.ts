import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { type AlipayTransferFake, startAlipayTransferFake } from "../fakes/alipay-transfer.js";
import { startWechatTransferFake, type WechatTransferFake } from "../fakes/wechat-transfer.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { grantAvailableCoins } from "../helpers/coins.js";

// Withdrawals paid through the Alipay and WeChat transfer fakes over real HTTP, with their signatures:
// the whole path from approval to 已到账 or the coins back, including an answer lost to a timeout.
let t: TestApp;
let alipay: AlipayTransferFake;
let wechat: WechatTransferFake;
beforeAll(async () => {
  alipay = await startAlipayTransferFake({ hangMs: 2500 });
  wechat = await startWechatTransferFake({ hangMs: 2500 });
  t = await startTestApp({
    start: new Date("2026-12-01T02:00:00Z"),
    env: {
      PAYOUT_CHANNELS: "alipay,wechat",
      PAY_HTTP_TIMEOUT_MS: "1000",
      ...alipay.providerConfig,
      ...wechat.providerConfig,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await alipay?.close();
  await wechat?.close();
});

let seq = 0;
const key = () => `wdg-${++seq}-${Date.now()}`;

async function setup(coins = 100) {
  const u = await login(t);
  const f = await login(t);
  await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: f.user.user_id, roles: ["finance"] } });
  await grantAvailableCoins(t, u.user.user_id, coins);
  return { user: { token: u.access_token, id: u.user.user_id as string }, finance: f.access_token };
}

async function apply(token: string, method: "alipay" | "wechat", amount = "100.00") {
  const res = await call(t, "POST", "/api/v1/withdrawals/create", {
    token,
    body: {
      amount_cny: amount,
      method,
      account_info: { name: "张三", account: method === "alipay" ? "13800001234" : "zhangsan" },
    },
    headers: { "idempotency-key": key() },
  });
  expect(res.status).toBe(200);
  const id = res.body.data.withdrawal.withdrawal_id as string;
  return { id, outBizNo: id.replaceAll("-", "") };
}

async function approve(finance: string, id: string) {
  const res = await call(t, "POST", `/api/v1/admin/withdrawals/${id}/approve`, { token: finance, body: {} });
  expect(res.status).toBe(200);
  await t.ctx.jobs.idle();
}

/** The query job as the cron runs it, `minutes` later (each unfinished transfer waits a minute for its next query). */
const queryPayouts = (minutes = 5) =>
  call(t, "POST", "/api/v1/dev/jobs/withdrawals.query_payouts/run", {
    body: { at: new Date(t.clock.now().getTime() + minutes * 60_000).toISOString() },
  });

const mine = async (token: string, id: string) =>
  (
    (await call(t, "GET", "/api/v1/withdrawals/me", { token })).body.data.items as {
      withdrawal_id: string;
      status: string;
      reason: string | null;
    }[]
  ).find((w) => w.withdrawal_id === id);
const available = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.coins.available as string;

describe("Alipay 单笔转账 (alipay.fund.trans.uni.transfer)", () => {
  it("success: the signed transfer pays ¥100 once and the withdrawal reads paid", async () => {
    const { user, finance } = await setup();
    const w = await apply(user.token, "alipay");
    await approve(finance, w.id);
    expect((await mine(user.token, w.id))?.status).toBe("paid");
    expect(alipay.transfers.get(w.outBizNo)).toMatchObject({ transAmount: "100.00", status: "SUCCESS" });
    expect(alipay.paymentsOf(w.outBizNo)).toBe(1);
  });

  it("an answer lost to a timeout is queried, never resent blindly: paid once, then paid", async () => {
    const { user, finance } = await setup();
    const w = await apply(user.token, "alipay");
    alipay.script(w.outBizNo, { mode: "timeout-then-success" });
    await approve(finance, w.id);
    expect((await mine(user.token, w.id))?.status).toBe("approved");
    const [row] = await queryRows<{ payout_status: string }>(
      t.ctx.db,
      sql`select payout_status from withdrawals where id = ${w.id}`,
    );
    expect(row?.payout_status).toBe("processing");
    expect((await queryPayouts()).status).toBe(200);
    expect((await mine(user.token, w.id))?.status).toBe("paid");
    await queryPayouts();
    expect(alipay.paymentsOf(w.outBizNo)).toBe(1);
    expect(alipay.requests.filter((r) => r.outBizNo === w.outBizNo).map((r) => r.method)).toEqual([
      "alipay.fund.trans.uni.transfer",
      "alipay.fund.trans.common.query",
    ]);
  });

  it("a definitive refusal fails the withdrawal and returns the coins", async () => {
    const { user, finance } = await setup();
    const w = await apply(user.token, "alipay");
    alipay.script(w.outBizNo, { mode: "fail", subCode: "PAYEE_NOT_EXIST", subMsg: "收款账号不存在" });
    await approve(finance, w.id);
    const got = await mine(user.token, w.id);
    expect(got?.status).toBe("failed");
    expect(got?.reason).toBeTruthy();
    expect(await available(user.token)).toBe("100.000");
    expect(alipay.paymentsOf(w.outBizNo)).toBe(0);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});

describe("WeChat 商家转账 (transfer-bills)", () => {
  it("pays the user's openid; WAIT_USER_CONFIRM stays in payout until the query sees SUCCESS", async () => {
    const { user, finance } = await setup();
    await t.ctx.db.execute(
      sql`update users set wechat_openid = ${`o_test_${user.id.slice(-12)}`} where id = ${user.id}`,
    );
    const w = await apply(user.token, "wechat");
    wechat.script(w.outBizNo, { mode: "processing-then-success" });
    await approve(finance, w.id);
    expect((await mine(user.token, w.id))?.status).toBe("approved");
    for (let i = 1; i <= 3 && (await mine(user.token, w.id))?.status !== "paid"; i++)
      await queryPayouts(5 * i);
    expect((await mine(user.token, w.id))?.status).toBe("paid");
    expect(wechat.paymentsOf(w.outBizNo)).toBe(1);
    expect(wechat.bills.get(w.outBizNo)).toMatchObject({
      transferAmount: 10000,
      openid: `o_test_${user.id.slice(-12)}`,
    });
    expect(await available(user.token)).toBe("0.000");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
