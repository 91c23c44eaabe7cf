import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { accountsOf, InsufficientBalanceError } from "../../src/ledger/index.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { spendWithKey } from "../helpers/ledger.js";

// Real PostgreSQL only (this folder joins the suite when DATABASE_URL is set; .ci/run sets it).
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const COST = 6;
const COVERED = 37;
const ATTEMPTS = 200;

const debit = (userId: string, key: string) => spendWithKey(t.ctx.db, userId, COST, key);

describe("ledger under concurrency (real PostgreSQL)", () => {
  it(`${ATTEMPTS} concurrent debits against a balance covering ${COVERED}: exactly ${COVERED} succeed`, async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const user = await login(t);
    const userId = user.user.user_id;
    await call(t, "POST", "/api/v1/dev/grant", {
      body: { user_id: userId, credits: COST * COVERED },
      headers: { "idempotency-key": "seed-grant-0001" },
    });

    const keys = Array.from({ length: ATTEMPTS }, (_, i) => `debit-key-${i.toString().padStart(4, "0")}`);
    const results = await Promise.allSettled(keys.map((k) => debit(userId, k)));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(COVERED);
    expect(lost.every((r) => r.reason instanceof InsufficientBalanceError)).toBe(true);

    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
    expect(wallets.body.data.credits.balance).toBe(0);
    // Never negative: every balance_after the user ever saw is >= 0, and they are all distinct steps.
    const after = await queryRows<{ balance_after: string }>(
      t.ctx.db,
      sql`select balance_after::text from postings where account_id = ${accountsOf(userId).credits.id} and entry_type = 'download_spend'`,
    );
    const steps = after.map((r) => Number(r.balance_after)).sort((a, b) => a - b);
    expect(steps).toEqual(Array.from({ length: COVERED }, (_, i) => i * COST));

    // Replaying a successful key returns its first response and posts nothing new.
    const winnerIndex = results.findIndex((r) => r.status === "fulfilled");
    const winnerKey = keys[winnerIndex] as string;
    const firstBody = (results[winnerIndex] as PromiseFulfilledResult<{ body: unknown }>).value.body;
    const count = async () =>
      (await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from postings`))[0]?.n;
    const before = await count();
    const replays = await Promise.all(Array.from({ length: 10 }, () => debit(userId, winnerKey)));
    expect(replays.every((r) => r.replayed && JSON.stringify(r.body) === JSON.stringify(firstBody))).toBe(
      true,
    );
    expect(await count()).toBe(before);
  });

  it("concurrent first requests with the same Idempotency-Key post once", async () => {
    const user = await login(t);
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 100 } });
    const same = await Promise.allSettled(
      Array.from({ length: 20 }, () => debit(user.user.user_id, "same-key-0001")),
    );
    expect(same.every((r) => r.status === "fulfilled")).toBe(true);
    const wallets = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
    expect(wallets.body.data.credits.balance).toBe(100 - COST);
  });

  it("`npm run ledger:check` reports every account equal to its postings and every asset at zero", async () => {
    const backendDir = path.resolve(import.meta.dirname, "../..");
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "ledger:check"], {
      cwd: backendDir,
      env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: "silent" },
    });
    const accounts = await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from accounts`);
    expect(stdout).toContain(`accounts equal to their postings: ${accounts[0]?.n}/${accounts[0]?.n}`);
    expect(stdout).toContain("asset CREDIT: balances sum 0, postings sum 0");
    expect(stdout).toContain("unbalanced transactions: 0");
    expect(stdout).toContain("ledger OK");
  });
});
