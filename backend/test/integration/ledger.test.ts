import type { Wallets } from "@skyriff/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountsOf,
  BALANCE_CHANNEL,
  BusinessKeyConflictError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  onBalanceChanged,
  platform,
  post,
  reconcile,
  UnbalancedTransactionError,
} from "../../src/ledger/index.js";
import { WalletCache } from "../../src/modules/wallet/cache.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { spendWithKey } from "../helpers/ledger.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const grant = (userId: string, credits: number, key?: string) =>
  call(t, "POST", "/api/v1/dev/grant", {
    body: { user_id: userId, credits },
    headers: key ? { "idempotency-key": key } : {},
  });
const wallets = async (token: string) => (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data;
const ledger = async (token: string, query = "type=credits") =>
  (await call(t, "GET", `/api/v1/wallet/ledgers?${query}`, { token })).body.data;

const spend = (userId: string, credits: number, key: string) => spendWithKey(t.ctx.db, userId, credits, key);

describe("wallets and the user-visible ledger", () => {
  it("a new user's ledger is empty", async () => {
    const user = await login(t);
    expect(await ledger(user.access_token)).toEqual({ items: [], next_cursor: null, has_more: false });
    expect(await ledger(user.access_token, "type=coins")).toEqual({
      items: [],
      next_cursor: null,
      has_more: false,
    });
  });

  it("a dev grant is a bonus posting with balance_after; the same Idempotency-Key grants once", async () => {
    const user = await login(t);
    const first = await grant(user.user.user_id, 100, "grant-key-0001");
    expect(first.body.data.balance_after).toBe(100);
    const replay = await grant(user.user.user_id, 100, "grant-key-0001");
    expect(replay.body.data).toEqual(first.body.data);
    expect((await wallets(user.access_token)).credits.balance).toBe(100);
    const page = await ledger(user.access_token);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      type: "bonus",
      amount: 100,
      balance_after: 100,
      wallet: "credits",
      status: "settled",
    });
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("a grant to an unknown user is 404/1003 and posts nothing", async () => {
    const res = await grant("01900000-0000-7000-8000-000000000000", 5);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe(1003);
  });

  it("pages newest first with a keyset cursor, without gaps or repeats", async () => {
    const user = await login(t);
    for (let i = 1; i <= 25; i++)
      await grant(user.user.user_id, i, `page-key-${i.toString().padStart(4, "0")}`);
    const first = await ledger(user.access_token, "type=credits&limit=20");
    expect(first.items).toHaveLength(20);
    expect(first.has_more).toBe(true);
    const second = await ledger(user.access_token, `type=credits&limit=20&cursor=${first.next_cursor}`);
    expect(second.items).toHaveLength(5);
    expect(second.has_more).toBe(false);
    const amounts = [...first.items, ...second.items].map((e: { amount: number }) => e.amount);
    expect(amounts).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(first.items[0].balance_after).toBe((25 * 26) / 2);
    const bad = await call(t, "GET", "/api/v1/wallet/ledgers?cursor=garbage!", { token: user.access_token });
    expect(bad.status).toBe(422);
  });

  it("a user's ledger shows only that user's postings", async () => {
    const a = await login(t);
    const b = await login(t);
    await grant(a.user.user_id, 7, "only-mine-0001");
    expect((await ledger(b.access_token)).items).toEqual([]);
  });
});

describe("ledger core", () => {
  it("refuses postings that do not sum to zero", async () => {
    const user = await login(t);
    await expect(
      t.ctx.db.transaction((tx) =>
        post(tx, {
          businessKey: "unbalanced-1",
          type: "bonus",
          postings: [
            { account: accountsOf(user.user.user_id).credits, amount: 10n, entryType: "bonus" },
            { account: platform.creditsGranted(user.user.user_id), amount: -9n, entryType: "bonus" },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(UnbalancedTransactionError);
  });

  it("a business key names one movement: the same postings replay, other postings fail loudly", async () => {
    const user = await login(t);
    const userId = user.user.user_id;
    const movement = (amount: bigint) =>
      t.ctx.db.transaction((tx) =>
        post(tx, {
          businessKey: `test_grant:${userId}:once`,
          type: "bonus",
          postings: [
            { account: accountsOf(userId).credits, amount, entryType: "bonus" },
            { account: platform.creditsGranted(userId), amount: -amount, entryType: "bonus" },
          ],
        }),
      );
    const first = await movement(7n);
    expect(first.replayed).toBe(false);
    const again = await movement(7n);
    expect(again).toMatchObject({ replayed: true, transactionId: first.transactionId });
    expect(again.entries.map((e) => e.id).sort()).toEqual(first.entries.map((e) => e.id).sort());
    await expect(movement(8n)).rejects.toBeInstanceOf(BusinessKeyConflictError);
    expect((await wallets(user.access_token)).credits.balance).toBe(7);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("an overdraft is refused with nothing moved; an Idempotency-Key replay posts nothing new", async () => {
    const user = await login(t);
    await grant(user.user.user_id, 10, "spend-seed-0001");
    await expect(spend(user.user.user_id, 11, "spend-key-over")).rejects.toBeInstanceOf(
      InsufficientBalanceError,
    );
    expect((await wallets(user.access_token)).credits.balance).toBe(10);

    const first = await spend(user.user.user_id, 6, "spend-key-0001");
    expect(first).toEqual({ body: { balance_after: 4 }, replayed: false });
    const again = await spend(user.user.user_id, 6, "spend-key-0001");
    expect(again).toEqual({ body: { balance_after: 4 }, replayed: true });
    expect((await wallets(user.access_token)).credits.balance).toBe(4);
    expect((await ledger(user.access_token)).items.map((e: { type: string }) => e.type)).toEqual([
      "download_spend",
      "bonus",
    ]);
    await expect(spend(user.user.user_id, 1, "spend-key-0001")).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("reconciliation notices a cached balance that differs from its postings", async () => {
    const user = await login(t);
    await grant(user.user.user_id, 3, "recon-0001");
    const { sql } = await import("drizzle-orm");
    await t.ctx.db.execute(
      sql`update accounts set balance = balance + 1 where id = ${accountsOf(user.user.user_id).credits.id}`,
    );
    const report = await reconcile(t.ctx.db);
    expect(report.ok).toBe(false);
    expect(report.accountMismatches).toEqual([
      { accountId: accountsOf(user.user.user_id).credits.id, cached: "4", posted: "3" },
    ]);
    await t.ctx.db.execute(
      sql`update accounts set balance = balance - 1 where id = ${accountsOf(user.user.user_id).credits.id}`,
    );
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("the CHECK constraint forbids a negative user balance even outside ledger.post()", async () => {
    const user = await login(t);
    const { sql } = await import("drizzle-orm");
    await expect(
      t.ctx.db.execute(
        sql`update accounts set balance = -1 where id = ${accountsOf(user.user.user_id).credits.id}`,
      ),
    ).rejects.toThrow();
  });
});

describe("wallet read cache", () => {
  it("a wallet read right after a grant, and after a spend, shows the new balance", async () => {
    const user = await login(t);
    for (let i = 0; i < 3; i++) expect((await wallets(user.access_token)).credits.balance).toBe(0);
    await grant(user.user.user_id, 9, "cache-grant-0001");
    expect((await wallets(user.access_token)).credits.balance).toBe(9);
    await spend(user.user.user_id, 4, "cache-spend-0001");
    expect((await wallets(user.access_token)).credits.balance).toBe(5);
    const home = await call(t, "GET", "/api/v1/me/home", { token: user.access_token });
    expect(home.body.data.wallets.credits.balance).toBe(5);
  });

  it("the process that moved the money drops the wallet at commit, without waiting for the NOTIFY", async () => {
    const user = await login(t);
    const userId = user.user.user_id;
    // A cache that hears only this process's commit callbacks (no LISTEN connection behind it).
    const local = new WalletCache();
    local.reset(true);
    const stop = onBalanceChanged((id) => local.invalidate(id));
    try {
      local.set(userId, (await wallets(user.access_token)) as Wallets, local.begin());
      expect(local.get(userId)).toBeDefined();
      await grant(userId, 5, "local-drop-0001");
      expect(local.get(userId)).toBeUndefined();
    } finally {
      stop();
    }
  });

  it("a read that overlapped an invalidation is not kept, and nothing is cached while the feed is down", () => {
    const cache = new WalletCache();
    const value = { credits: { balance: 1 } } as unknown as Wallets;
    cache.reset(true);
    const token = cache.begin();
    cache.invalidate("user-a");
    cache.set("user-a", value, token);
    expect(cache.get("user-a")).toBeUndefined();
    cache.set("user-a", value, cache.begin());
    expect(cache.get("user-a")).toBe(value);
    cache.reset(false);
    cache.set("user-b", value, cache.begin());
    expect(cache.get("user-a")).toBeUndefined();
    expect(cache.get("user-b")).toBeUndefined();
  });

  it("a committed spend is announced to the other processes, after its commit", async () => {
    const user = await login(t);
    const heard: string[] = [];
    const other = await t.ctx.database.listen(BALANCE_CHANNEL, {
      onMessage: (userId) => heard.push(userId),
      onReset: () => undefined,
    });
    try {
      await grant(user.user.user_id, 3, "announce-0001");
      for (let i = 0; i < 100 && !heard.includes(user.user.user_id); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(heard).toContain(user.user.user_id);
    } finally {
      await other.close();
    }
  });

  it("a NOTIFY from another process drops this process's cached wallet", async () => {
    const user = await login(t);
    const userId = user.user.user_id;
    await wallets(user.access_token);
    expect(t.ctx.walletCache.get(userId)).toBeDefined();
    // What ledger.post() sends on commit in whichever process moved the money.
    const { sql } = await import("drizzle-orm");
    await t.ctx.db.execute(sql`select pg_notify('ledger_balances', ${userId})`);
    let dropped = false;
    for (let i = 0; i < 100 && !dropped; i++) {
      dropped = t.ctx.walletCache.get(userId) === undefined;
      if (!dropped) await new Promise((r) => setTimeout(r, 10));
    }
    expect(dropped).toBe(true);
  });
});
