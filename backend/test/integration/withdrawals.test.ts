import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { type Api, call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { grantAvailableCoins } from "../helpers/coins.js";

// 2026-12-01 10:00 Shanghai: far from midnight.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    start: new Date("2026-12-01T02:00:00Z"),
    env: { PAYOUT_CHANNELS: "sandbox,bank_csv" },
  });
});
afterAll(() => t.close());

let seq = 0;
const key = () => `wd-test-${++seq}-${Date.now()}`;
const alipay = (account = "13800001234") => ({ name: "张三", account });
const bank = { name: "李小龙", account: "6222 0212 3456 7890 123", bank_name: "中国工商银行" };

async function user() {
  const u = await login(t);
  return { token: u.access_token, id: u.user.user_id as string };
}

async function withdraw(
  token: string,
  amount: string,
  method = "alipay",
  info: object = alipay(),
): Promise<Api> {
  return call(t, "POST", "/api/v1/withdrawals/create", {
    token,
    body: { amount_cny: amount, method, account_info: info },
    headers: { "idempotency-key": key() },
  });
}

const coins = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.coins;
const coinLedger = async (token: string) =>
  (await call(t, "GET", "/api/v1/wallet/ledgers?type=coins", { token })).body.data.items as {
    type: string;
    amount: string;
    status: string;
  }[];

async function financeUser() {
  const f = await user();
  const granted = await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: f.id, roles: ["finance"] } });
  expect(granted.body.data.roles).toEqual(["finance"]);
  return f;
}

describe("withdrawal rules (SPEC §5)", () => {
  it("refuses amounts outside ¥100–¥5000, fractions of a fen and more than available, moving nothing", async () => {
    const u = await user();
    await grantAvailableCoins(t, u.id, 150);
    for (const amount of ["99.99", "5000.01", "100.001", "1e2", "-100", "abc"]) {
      const res = await withdraw(u.token, amount);
      expect(res.status, amount).toBe(400);
      expect(res.body.code).toBe(2006);
    }
    const tooMuch = await withdraw(u.token, "150.01");
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body).toMatchObject({ code: 2005, data: { available: "150.000", required: "150.010" } });
    expect((await coins(u.token)).available).toBe("150.000");
    const listed = await call(t, "GET", "/api/v1/withdrawals/me", { token: u.token });
    expect(listed.body.data.items).toEqual([]);
  });

  it("debits at once, stores the account sealed and shows it masked everywhere", async () => {
    const u = await user();
    await grantAvailableCoins(t, u.id, 150);
    const res = await withdraw(u.token, "100", "bank_card", bank);
    expect(res.status).toBe(200);
    expect(res.body.data.coins_available).toBe("50.000");
    const w = res.body.data.withdrawal;
    expect(w).toMatchObject({
      amount_cny: "100.00",
      method: "bank_card",
      account_masked: "6222 **** **** 0123",
      name_masked: "李**",
      status: "applied",
      reason: null,
    });
    expect(JSON.stringify(res.body)).not.toContain("6222021234567890123");
    const [row] = await queryRows<{ account_sealed: string; amount_fen: string }>(
      t.ctx.db,
      sql`select account_sealed, amount_fen::text from withdrawals where id = ${w.withdrawal_id}`,
    );
    expect(row?.amount_fen).toBe("10000");
    expect(row?.account_sealed).toMatch(/^v1\./);
    expect(row?.account_sealed).not.toContain("6222");
    expect(row?.account_sealed).not.toContain("李小龙");

    const [entry] = await coinLedger(u.token);
    expect(entry).toMatchObject({ type: "withdraw", amount: "-100.000", status: "settled" });
    const mine = await call(t, "GET", "/api/v1/withdrawals/me", { token: u.token });
    expect(mine.body.data.items).toEqual([w]);
    // Another user sees none of it.
    const other = await user();
    expect((await call(t, "GET", "/api/v1/withdrawals/me", { token: other.token })).body.data.items).toEqual(
      [],
    );
  });

  it("at most 3 a Shanghai day: the 4th is refused, the next day (16:00 UTC) is a new day", async () => {
    const u = await user();
    await grantAvailableCoins(t, u.id, 1000);
    for (let i = 0; i < 3; i++) expect((await withdraw(u.token, "100.00")).status).toBe(200);
    const fourth = await withdraw(u.token, "100.00");
    expect(fourth.status).toBe(400);
    expect(fourth.body).toMatchObject({ code: 2006, data: { rule: "daily_count" } });
    const rules = await call(t, "GET", "/api/v1/withdrawals/rules", { token: u.token });
    expect(rules.body.data).toMatchObject({
      used_today: 3,
      daily_count_max: 3,
      min_cny: "100.00",
      max_cny: "5000.00",
    });

    const toMidnight = new Date("2026-12-01T16:00:00Z").getTime() - t.clock.now().getTime();
    t.clock.advance(toMidnight - 1000);
    expect((await withdraw(u.token, "100.00")).body.data.rule).toBe("daily_count");
    t.clock.advance(1000);
    try {
      expect((await withdraw(u.token, "100.00")).status).toBe(200);
    } finally {
      t.clock.advance(-toMidnight);
    }
  });

  it("a repeated Idempotency-Key gives the first answer and debits once", async () => {
    const u = await user();
    await grantAvailableCoins(t, u.id, 300);
    const headers = { "idempotency-key": key() };
    const body = { amount_cny: "120.50", method: "alipay", account_info: alipay("user@example.com") };
    const first = await call(t, "POST", "/api/v1/withdrawals/create", { token: u.token, body, headers });
    const again = await call(t, "POST", "/api/v1/withdrawals/create", { token: u.token, body, headers });
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body.data.withdrawal.account_masked).toBe("u***@example.com");
    expect((await coins(u.token)).available).toBe("179.500");
  });

  it("needs a bound phone and valid account details", async () => {
    const u = await user();
    await grantAvailableCoins(t, u.id, 200);
    const badCard = await withdraw(u.token, "100", "bank_card", {
      name: "张三",
      account: "12ab",
      bank_name: "工行",
    });
    expect(badCard.status).toBe(422);
    expect(badCard.body.data.fields["account_info.account"]).toBeTruthy();
    const wechat = await withdraw(u.token, "100", "wechat", { name: "张三", account: "zhangsan" });
    expect(wechat.body).toMatchObject({ code: 2006, data: { rule: "wechat_required" } });
    await t.ctx.db.execute(sql`update users set phone = null where id = ${u.id}`);
    const noPhone = await withdraw(u.token, "100");
    expect(noPhone.body).toMatchObject({ code: 2006, data: { rule: "phone_required" } });
    expect((await coins(u.token)).available).toBe("200.000");
  });
});

describe("withdrawal review (SPEC §7) and payouts", () => {
  it("only finance or admin may review; others get 403/2002", async () => {
    const u = await user();
    for (const [method, url] of [
      ["GET", "/api/v1/admin/withdrawals"],
      ["POST", "/api/v1/admin/withdrawals/x/approve"],
      ["POST", "/api/v1/admin/withdrawals/x/mark_paid"],
      ["GET", "/api/v1/admin/withdrawals/bank_batch.csv"],
    ] as const) {
      const res = await call(t, method, url, { token: u.token, ...(method === "POST" ? { body: {} } : {}) });
      expect(res.status, url).toBe(403);
      expect(res.body.code).toBe(2002);
    }
  });

  it("approve → the sandbox transfer → 已到账, once; the platform's in-flight coins become paid out", async () => {
    const u = await user();
    const finance = await financeUser();
    await grantAvailableCoins(t, u.id, 150);
    const w = (await withdraw(u.token, "100.00")).body.data.withdrawal;
    const queue = await call(t, "GET", "/api/v1/admin/withdrawals?status=applied", { token: finance.token });
    const queued = queue.body.data.items.find(
      (i: { withdrawal_id: string }) => i.withdrawal_id === w.withdrawal_id,
    );
    expect(queued).toMatchObject({ user_id: u.id, account_masked: "138****1234", payout_status: "none" });

    const approved = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/approve`, {
      token: finance.token,
      body: {},
    });
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({
      status: "approved",
      payout_channel: "sandbox",
      reviewer_id: finance.id,
    });
    await t.ctx.jobs.idle();
    const [mine] = (await call(t, "GET", "/api/v1/withdrawals/me", { token: u.token })).body.data.items;
    expect(mine).toMatchObject({ status: "paid", withdrawal_id: w.withdrawal_id });
    expect(mine.finished_at).not.toBeNull();

    const again = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/approve`, {
      token: finance.token,
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe(2007);
    const rejectPaid = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/reject`, {
      token: finance.token,
      body: { reason: "晚了" },
    });
    expect(rejectPaid.body.code).toBe(2007);
    expect((await coins(u.token)).available).toBe("50.000");
    const keys = await queryRows<{ business_key: string }>(
      t.ctx.db,
      sql`select business_key from ledger_transactions where ref_type = 'withdrawal' and ref_id = ${w.withdrawal_id} order by created_at`,
    );
    expect(keys.map((k) => k.business_key)).toEqual([
      `withdrawal:${w.withdrawal_id}:debit`,
      `withdrawal:${w.withdrawal_id}:paid`,
    ]);
    const kinds = await queryRows<{ kind: string }>(
      t.ctx.db,
      sql`select kind from notifications where user_id = ${u.id} order by id`,
    );
    expect(kinds.map((k) => k.kind)).toEqual(["withdrawal_approved", "withdrawal_paid"]);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("reject with a reason returns the coins (withdraw_refund); it cannot be approved afterwards", async () => {
    const u = await user();
    const finance = await financeUser();
    await grantAvailableCoins(t, u.id, 100);
    const w = (await withdraw(u.token, "100")).body.data.withdrawal;
    expect((await coins(u.token)).available).toBe("0.000");
    const noReason = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/reject`, {
      token: finance.token,
      body: { reason: "" },
    });
    expect(noReason.status).toBe(422);
    const rejected = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/reject`, {
      token: finance.token,
      body: { reason: "收款人姓名与实名不符" },
    });
    expect(rejected.body.data).toMatchObject({ status: "rejected", reason: "收款人姓名与实名不符" });
    expect((await coins(u.token)).available).toBe("100.000");
    const [refund] = await coinLedger(u.token);
    expect(refund).toMatchObject({ type: "withdraw_refund", amount: "100.000" });
    const approve = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/approve`, {
      token: finance.token,
      body: {},
    });
    expect(approve.body.code).toBe(2007);
    const unknown = await call(
      t,
      "POST",
      "/api/v1/admin/withdrawals/01930000-0000-7000-8000-000000000000/approve",
      {
        token: finance.token,
        body: {},
      },
    );
    expect(unknown.status).toBe(404);
  });

  it("a payout the gateway refuses fails the withdrawal and returns the coins", async () => {
    const u = await user();
    const finance = await financeUser();
    await grantAvailableCoins(t, u.id, 100);
    const w = (await withdraw(u.token, "100", "alipay", alipay("FAIL@example.com"))).body.data.withdrawal;
    await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/approve`, {
      token: finance.token,
      body: {},
    });
    await t.ctx.jobs.idle();
    const [mine] = (await call(t, "GET", "/api/v1/withdrawals/me", { token: u.token })).body.data.items;
    expect(mine.status).toBe("failed");
    expect(mine.reason).toBeTruthy();
    expect((await coins(u.token)).available).toBe("100.000");
    const [n] = await queryRows<{ kind: string }>(
      t.ctx.db,
      sql`select kind from notifications where user_id = ${u.id} order by id desc limit 1`,
    );
    expect(n?.kind).toBe("withdrawal_failed");
  });

  it("bank cards go to the manual CSV batch with the full account; mark_paid finishes them", async () => {
    const u = await user();
    const finance = await financeUser();
    await grantAvailableCoins(t, u.id, 200);
    const w = (await withdraw(u.token, "200.00", "bank_card", bank)).body.data.withdrawal;
    const markEarly = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/mark_paid`, {
      token: finance.token,
      body: {},
    });
    expect(markEarly.body.code).toBe(2007);
    const approved = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/approve`, {
      token: finance.token,
      body: {},
    });
    expect(approved.body.data).toMatchObject({
      payout_channel: "bank_csv",
      payout_status: "manual",
      status: "approved",
    });
    const csv = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/withdrawals/bank_batch.csv",
      headers: { authorization: `Bearer ${finance.token}` },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body).toContain("6222021234567890123");
    expect(csv.body).toContain("李小龙");
    expect(csv.body).toContain("200.00");
    const paid = await call(t, "POST", `/api/v1/admin/withdrawals/${w.withdrawal_id}/mark_paid`, {
      token: finance.token,
      body: {},
    });
    expect(paid.body.data).toMatchObject({ status: "paid", payout_status: "success" });
    const after = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/withdrawals/bank_batch.csv",
      headers: { authorization: `Bearer ${finance.token}` },
    });
    expect(after.body).not.toContain("6222021234567890123");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
