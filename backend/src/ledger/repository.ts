import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { afterCommit, type Executor, queryRows } from "../db/client.js";
import { accounts, ledgerTransactions, postings } from "../db/schema/index.js";
import type { Keyset } from "../lib/cursor.js";
import type { AccountRef } from "./accounts.js";

// Accounts are never deleted, so once this process has seen one committed it need not insert it again
// (the insert … on conflict would otherwise queue behind every in-flight update of a hot row).
const knownAccounts = new Set<string>();

export async function ensureAccounts(ex: Executor, refs: AccountRef[]): Promise<void> {
  const missing = refs.filter((r) => !knownAccounts.has(r.id));
  if (missing.length === 0) return;
  await ex
    .insert(accounts)
    .values(
      missing.map((r) => ({
        id: r.id,
        asset: r.asset,
        ownerUserId: r.ownerUserId,
        allowNegative: r.allowNegative,
      })),
    )
    .onConflictDoNothing();
  const remember = () => {
    for (const r of missing) knownAccounts.add(r.id);
  };
  try {
    afterCommit(ex, remember);
  } catch {
    // Not inside a tracked transaction: the insert committed on its own.
    remember();
  }
}

export async function accountExists(ex: Executor, id: string): Promise<boolean> {
  const rows = await ex.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, id));
  return rows.length === 1;
}

/** Forgets what this process believes exists (an account it skipped was missing after all). */
export function forgetKnownAccount(id: string): void {
  knownAccounts.delete(id);
}

export async function insertTransaction(
  ex: Executor,
  row: typeof ledgerTransactions.$inferInsert,
): Promise<boolean> {
  const inserted = await ex
    .insert(ledgerTransactions)
    .values(row)
    .onConflictDoNothing({ target: ledgerTransactions.businessKey })
    .returning({ id: ledgerTransactions.id });
  return inserted.length === 1;
}

/** Applies `delta` only if the balance stays non-negative (or the account may go negative). */
export async function applyDelta(ex: Executor, accountId: string, delta: bigint): Promise<bigint | null> {
  const rows = await ex
    .update(accounts)
    .set({ balance: sql`${accounts.balance} + ${delta}` })
    .where(
      and(
        eq(accounts.id, accountId),
        or(eq(accounts.allowNegative, true), sql`${accounts.balance} + ${delta} >= 0`),
      ),
    )
    .returning({ balance: accounts.balance });
  return rows[0]?.balance ?? null;
}

export async function balanceOf(ex: Executor, accountId: string): Promise<bigint> {
  const rows = await ex
    .select({ balance: accounts.balance })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return rows[0]?.balance ?? 0n;
}

export async function balancesOf(ex: Executor, accountIds: string[]): Promise<Map<string, bigint>> {
  const rows = await ex
    .select({ id: accounts.id, balance: accounts.balance })
    .from(accounts)
    .where(inArray(accounts.id, accountIds));
  return new Map(rows.map((r) => [r.id, r.balance]));
}

export async function insertPostings(ex: Executor, rows: (typeof postings.$inferInsert)[]): Promise<void> {
  await ex.insert(postings).values(rows);
}

export async function findTransactionByKey(ex: Executor, businessKey: string) {
  const rows = await ex
    .select()
    .from(ledgerTransactions)
    .where(eq(ledgerTransactions.businessKey, businessKey));
  return rows[0] ?? null;
}

export async function postingsOfTransaction(ex: Executor, transactionId: string) {
  return ex.select().from(postings).where(eq(postings.transactionId, transactionId)).orderBy(postings.id);
}

/** The user-visible ledger: postings on the given accounts, newest first, keyset-paged. */
export async function listPostings(ex: Executor, accountIds: string[], after: Keyset | null, limit: number) {
  const keyset = after
    ? or(
        lt(postings.createdAt, after.createdAt),
        and(eq(postings.createdAt, after.createdAt), lt(postings.id, after.id)),
      )
    : undefined;
  return ex
    .select({
      id: postings.id,
      accountId: postings.accountId,
      amount: postings.amount,
      balanceAfter: postings.balanceAfter,
      entryType: postings.entryType,
      status: postings.status,
      unlockAt: postings.unlockAt,
      createdAt: postings.createdAt,
      description: ledgerTransactions.description,
      refType: ledgerTransactions.refType,
      refId: ledgerTransactions.refId,
    })
    .from(postings)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, postings.transactionId))
    .where(and(inArray(postings.accountId, accountIds), keyset))
    .orderBy(desc(postings.createdAt), desc(postings.id))
    .limit(limit + 1);
}

export async function pendingCoinPostings(ex: Executor, accountId: string) {
  return ex
    .select({ amount: postings.amount, unlockAt: postings.unlockAt, source: postings.entryType })
    .from(postings)
    .where(
      and(eq(postings.accountId, accountId), eq(postings.status, "pending"), sql`${postings.amount} > 0`),
    )
    .orderBy(postings.unlockAt)
    .limit(100);
}

export interface ReconciliationRows {
  accountMismatches: { accountId: string; cached: string; posted: string }[];
  assetTotals: { asset: string; cached: string; posted: string }[];
  unbalancedTransactions: { transactionId: string; asset: string; total: string }[];
  accountsChecked: number;
}

export async function reconciliationRows(ex: Executor): Promise<ReconciliationRows> {
  const mismatches = await queryRows<{ account_id: string; cached: string; posted: string }>(
    ex,
    sql`
    select a.id as account_id, a.balance::text as cached, coalesce(p.total, 0)::text as posted
    from accounts a
    left join (select account_id, sum(amount) as total from postings group by account_id) p on p.account_id = a.id
    where a.balance <> coalesce(p.total, 0)`,
  );
  const totals = await queryRows<{ asset: string; cached: string; posted: string }>(
    ex,
    sql`
    select a.asset, sum(a.balance)::text as cached,
      coalesce((select sum(p.amount) from postings p where p.asset = a.asset), 0)::text as posted
    from accounts a group by a.asset`,
  );
  const unbalanced = await queryRows<{ transaction_id: string; asset: string; total: string }>(
    ex,
    sql`
    select transaction_id, asset, sum(amount)::text as total from postings
    group by transaction_id, asset having sum(amount) <> 0 limit 100`,
  );
  const count = await queryRows<{ n: number }>(ex, sql`select count(*)::int as n from accounts`);
  return {
    accountMismatches: mismatches.map((r) => ({
      accountId: r.account_id,
      cached: r.cached,
      posted: r.posted,
    })),
    assetTotals: totals,
    unbalancedTransactions: unbalanced.map((r) => ({
      transactionId: r.transaction_id,
      asset: r.asset,
      total: r.total,
    })),
    accountsChecked: count[0]?.n ?? 0,
  };
}

export const BALANCE_CHANNEL = "ledger_balances";

/** Tells every process (after commit, as NOTIFY is transactional) whose balances changed. */
export async function notifyBalanceChanged(ex: Executor, ownerUserIds: string[]): Promise<void> {
  for (const id of ownerUserIds) await ex.execute(sql`select pg_notify(${BALANCE_CHANNEL}, ${id})`);
}
