import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { shanghaiDate } from "../../src/lib/time.js";
import { type Api, call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { ledgerCheck } from "../helpers/ledger.js";

// Real PostgreSQL only: requests that really run at the same time.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const ROUNDS = 20;
const body = (prompt: string) => ({ prompt, duration_sec: 10, ratio: "9:16", model: "skyriff-sim" });
const create = (token: string, prompt: string, key?: string) =>
  call(t, "POST", "/api/v1/tasks/create", {
    token,
    body: body(prompt),
    headers: key ? { "idempotency-key": key } : {},
  });
async function userWith(credits: number) {
  const user = await login(t);
  if (credits) await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
  return user;
}
const holdsOf = async (userId: string) =>
  (
    await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from postings where account_id = ${`user:${userId}:credits`} and entry_type = 'gen_hold'`,
    )
  )[0]?.n;

describe("concurrent creates (real PostgreSQL)", () => {
  it(`${ROUNDS} rounds of two same-key creates, balance covering one task: both answer 200 with one task and one hold`, async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    for (let round = 0; round < ROUNDS; round++) {
      const user = await userWith(10);
      const key = `race-key-${round.toString().padStart(4, "0")}`;
      const pair: Api[] = await Promise.all([
        create(user.access_token, "同一个键", key),
        create(user.access_token, "同一个键", key),
      ]);
      expect(pair.map((r) => r.status)).toEqual([200, 200]);
      expect(pair[1]?.body).toEqual(pair[0]?.body);
      expect(await holdsOf(user.user.user_id)).toBe(1);
    }
  });

  it("two same-key creates next to 4 unfinished tasks (the limit is 5) both answer 200 with one task", async () => {
    const user = await userWith(100);
    for (let i = 0; i < 4; i++) expect((await create(user.access_token, `已有任务 ${i}`)).status).toBe(200);
    const pair = await Promise.all([
      create(user.access_token, "第五个", "fifth-task-0001"),
      create(user.access_token, "第五个", "fifth-task-0001"),
    ]);
    expect(pair.map((r) => r.status)).toEqual([200, 200]);
    expect(pair[1]?.body.data.task_id).toBe(pair[0]?.body.data.task_id);
    expect(await holdsOf(user.user.user_id)).toBe(5);
  });

  it("10 creates at once against 5 free unfinished slots: exactly 5 succeed", async () => {
    const user = await userWith(100);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => create(user.access_token, `并发 ${i}`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.data.reason === "unfinished")).toBe(
      true,
    );
    expect(await holdsOf(user.user.user_id)).toBe(5);
    const wallet = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
    expect(wallet.body.data.credits.balance).toBe(50);
  });

  it("10 creates at once with 95 of today's 100 used: exactly 5 succeed", async () => {
    const user = await userWith(100);
    const userId = user.user.user_id;
    const unfinished = t.ctx.economy.MAX_UNFINISHED_TASKS;
    t.ctx.economy.MAX_UNFINISHED_TASKS = 50;
    try {
      await t.ctx.db.execute(sql`
        insert into generation_quotas (user_id, unfinished, day, day_count)
        values (${userId}, 0, ${shanghaiDate(t.clock.now())}, 95)`);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => create(user.access_token, `今日 ${i}`)),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.filter((r) => r.status === 429).every((r) => r.body.data.reason === "daily")).toBe(true);
      expect(await holdsOf(userId)).toBe(5);
    } finally {
      t.ctx.economy.MAX_UNFINISHED_TASKS = unfinished;
    }
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });
});
