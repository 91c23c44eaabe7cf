import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { previousShanghaiMonth } from "../../src/modules/promoter/second-level.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
// 2026-11-20 10:00 Shanghai: the payments below fall in November.
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-11-20T02:00:00Z") });
});
afterAll(() => t.close());

async function user() {
  const u = await login(t);
  return { token: u.access_token, id: u.user.user_id as string };
}

async function pay(token: string, productId: string) {
  const created = await call(t, "POST", "/api/v1/payments/create", {
    token,
    body: { product_id: productId, pay_channel: "sandbox" },
  });
  expect(created.status).toBe(200);
  const done = await call(t, "POST", `/api/v1/dev/payments/${created.body.data.payment_id}/complete`, {
    body: { result: "success" },
  });
  expect(done.body.data.fulfilled).toBe(true);
}

async function promoterWithCode(token: string): Promise<string> {
  await pay(token, "promoter_activation");
  return (await call(t, "GET", "/api/v1/promoter/me", { token })).body.data.referral_code;
}

const bind = (token: string, code: string) =>
  call(t, "POST", "/api/v1/referrals/bind", { token, body: { code } });
const runMonthly = (at: string) =>
  call(t, "POST", "/api/v1/dev/jobs/promoter.monthly_commission/run", { body: { at } });

describe("previousShanghaiMonth", () => {
  it("is the Shanghai calendar month before: 00:00 on the 1st is 16:00 UTC the day before", () => {
    expect(previousShanghaiMonth(new Date("2026-11-30T16:00:00Z"))).toEqual({
      from: new Date("2026-10-31T16:00:00Z"),
      to: new Date("2026-11-30T16:00:00Z"),
      period: "2026-11",
    });
    expect(previousShanghaiMonth(new Date("2027-01-01T03:00:00Z")).period).toBe("2026-12");
    expect(previousShanghaiMonth(new Date("2026-11-30T15:59:59Z")).period).toBe("2026-10");
  });
});

describe("second-level commission (promoter.monthly_commission)", () => {
  it("A earns 0.1 % of C's payments in the previous month, once however often the job runs", async () => {
    const a = await user();
    const codeA = await promoterWithCode(a.token);
    const b = await user();
    expect((await bind(b.token, codeA)).status).toBe(200);
    const codeB = await promoterWithCode(b.token);
    const c = await user();
    expect((await bind(c.token, codeB)).status).toBe(200);
    await pay(c.token, "credits_2560"); // ¥128
    await pay(c.token, "credits_600"); // ¥30
    const direct = await user();
    expect((await bind(direct.token, codeA)).status).toBe(200);
    await pay(direct.token, "credits_600"); // A's own invitee: the direct 5 %, not the second level

    const pendingOf = async (token: string) =>
      (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.coins.pending as string;
    // A: 5 % of B's ¥30 activation (1.500) and of the direct invitee's ¥30 (1.500).
    expect(await pendingOf(a.token)).toBe("3.000");

    const first = await runMonthly("2026-11-30T16:00:00.000Z");
    expect(first.body.data.status).toBe("done");
    // 0.1 % of ¥158 = ¥0.158 = 0.158 coins.
    expect(await pendingOf(a.token)).toBe("3.158");
    for (const at of ["2026-11-30T16:00:05.000Z", "2026-12-01T09:00:00.000Z"]) await runMonthly(at);
    expect(await pendingOf(a.token)).toBe("3.158");
    // B has no second level (C is B's direct invitee): nothing from this job.
    const rows = await queryRows<{ business_key: string; ref_id: string }>(
      t.ctx.db,
      sql`select business_key, ref_id from ledger_transactions where ref_type = 'promoter_month'`,
    );
    expect(rows).toEqual([
      { business_key: `promoter:${a.id}:second_level:2026-11`, ref_id: `${a.id}:2026-11` },
    ]);
    const lots = (await call(t, "GET", "/api/v1/me/wallets", { token: a.token })).body.data.coins
      .pending_details;
    expect(lots).toEqual(
      expect.arrayContaining([expect.objectContaining({ amount: "0.158", source: "commission" })]),
    );
    const notes = await queryRows<{ level: number; ref_type: string }>(
      t.ctx.db,
      sql`select (data->>'level')::int as level, ref_type from notifications
          where user_id = ${a.id} and kind = 'commission_received' order by id`,
    );
    // B's activation and the direct invitee's payment (5 %), then the monthly second level, once.
    expect(notes).toEqual([
      { level: 1, ref_type: "payment" },
      { level: 1, ref_type: "payment" },
      { level: 2, ref_type: "promoter_month" },
    ]);
    const rendered = (await call(t, "GET", "/api/v1/notifications", { token: a.token })).body.data.items;
    expect(rendered[0].body).toBe("2026-11 二级推广佣金 0.158 金币已入账（冻结 7 天）");
    expect(rendered[1].body).toContain("支付了 ¥30.00，你获得佣金 1.50 金币");

    // December's run covers December only: nothing paid then, nothing posted.
    await runMonthly("2026-12-31T16:00:00.000Z");
    expect(await pendingOf(a.token)).toBe("3.158");
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
