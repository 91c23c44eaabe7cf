import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../db/client.js";
import { accounts, ledgerTransactions, postings } from "../db/schema/index.js";
import { send, statement } from "../db/statements.js";
import type { Keyset } from "../lib/cursor.js";
import type { AccountRef, Asset } from "./accounts.js";
import { InsufficientBalanceError } from "./errors.js";

export interface AccountDelta {
  account: AccountRef;
  delta: bigint;
}

export interface PostingRow {
  id: string;
  accountId: string;
  asset: string;
  amount: bigint;
  entryType: string;
  status: "settled" | "pending";
  unlockAt: Date | null;
}

export interface PostedRow {
  postingId: string;
  transactionId: string;
  accountId: string;
  amount: bigint;
  balanceAfter: bigint;
  entryType: string;
  replayed: boolean;
}

/** Raised by `ledger_post` when a conditional balance update finds too little money. */
const INSUFFICIENT_SQLSTATE = "SRL01";

const POST = statement(
  "ledger_post",
  `select posting_id, transaction_id, account_id, amount::text as amount, balance_after::text as balance_after,
     entry_type, replayed
   from ledger_post($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, $9::jsonb, $10::jsonb)`,
);

/**
 * One ledger transaction in one statement through the `ledger_post` SQL function (migration 0003):
 * header, conditional balance updates in the given order, postings with balance_after, NOTIFY. Sent
 * at once (see db/statements.ts), so it travels with the statements of the action it pays for.
 */
export async function postTransaction(
  ex: Executor,
  header: typeof ledgerTransactions.$inferInsert,
  deltas: AccountDelta[],
  rows: PostingRow[],
): Promise<PostedRow[]> {
  const accountsJson = deltas.map((d) => ({
    id: d.account.id,
    asset: d.account.asset,
    owner: d.account.ownerUserId,
    allow_negative: d.account.allowNegative,
    delta: d.delta.toString(),
  }));
  const postingsJson = rows.map((r) => ({
    id: r.id,
    account_id: r.accountId,
    asset: r.asset,
    amount: r.amount.toString(),
    entry_type: r.entryType,
    status: r.status,
    unlock_at: r.unlockAt?.toISOString() ?? null,
  }));
  try {
    const result = await send<{
      posting_id: string;
      transaction_id: string;
      account_id: string;
      amount: string | bigint;
      balance_after: string | bigint;
      entry_type: string;
      replayed: boolean;
    }>(ex, POST, [
      header.id,
      header.businessKey,
      header.type,
      header.refType ?? null,
      header.refId ?? null,
      header.description ?? "",
      header.metadata ? JSON.stringify(header.metadata) : null,
      (header.createdAt ?? new Date()).toISOString(),
      JSON.stringify(accountsJson),
      JSON.stringify(postingsJson),
    ]);
    return result.map((r) => ({
      postingId: r.posting_id,
      transactionId: r.transaction_id,
      accountId: r.account_id,
      amount: BigInt(r.amount),
      balanceAfter: BigInt(r.balance_after),
      entryType: r.entry_type,
      replayed: r.replayed,
    }));
  } catch (err) {
    throw insufficientDetail(err) ?? err;
  }
}

function insufficientDetail(err: unknown): InsufficientBalanceError | null {
  for (let e: unknown = err; e instanceof Error || (e && typeof e === "object"); ) {
    const { code, detail, cause } = e as { code?: string; detail?: string; cause?: unknown };
    if (code === INSUFFICIENT_SQLSTATE && detail) {
      const d = JSON.parse(detail) as { account: string; asset: Asset; balance: string; required: string };
      return new InsufficientBalanceError(d.account, d.asset, BigInt(d.balance), BigInt(d.required));
    }
    if (!cause || cause === e) return null;
    e = cause;
  }
  return null;
}

/** Creates accounts that do not exist yet (a new user's zero wallets). */
export async function ensureAccounts(ex: Executor, refs: AccountRef[]): Promise<void> {
  if (refs.length === 0) return;
  await ex
    .insert(accounts)
    .values(
      refs.map((r) => ({
        id: r.id,
        asset: r.asset,
        ownerUserId: r.ownerUserId,
        allowNegative: r.allowNegative,
      })),
    )
    .onConflictDoNothing();
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

/**
 * Balances read under `FOR UPDATE` (in id order, the ledger's lock order for user accounts), so no other
 * movement can change them before the caller's transaction posts and commits: e.g. a forfeiture that must
 * move exactly what is there.
 */
export async function lockedBalancesOf(tx: Tx, accountIds: string[]): Promise<Map<string, bigint>> {
  const rows = await tx
    .select({ id: accounts.id, balance: accounts.balance })
    .from(accounts)
    .where(inArray(accounts.id, accountIds))
    .orderBy(accounts.id)
    .for("update");
  return new Map(rows.map((r) => [r.id, r.balance]));
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
      // A lot's posting is never edited: it reads settled once released, reversed once undone.
      status: sql<"settled" | "pending" | "reversed">`coalesce(
        (select case when e.type = 'coin_release' then 'settled' else 'reversed' end
         from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = ${postings.id}),
        ${postings.status})`,
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

export interface ReconciliationRows {
  accountMismatches: { accountId: string; cached: string; posted: string }[];
  assetTotals: { asset: string; cached: string; posted: string }[];
  unbalancedTransactions: { transactionId: string; asset: string; total: string }[];
  /** Orders whose escrow is not what their state says: zero once ended, the budget while open. */
  escrowMismatches: { orderId: string; status: string; escrow: string; expected: string }[];
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
  const escrows = await queryRows<{ order_id: string; status: string; escrow: string; expected: string }>(
    ex,
    sql`
    select o.id as order_id, o.status, coalesce(a.balance, 0)::text as escrow, e.expected::text as expected
    from orders o
    left join accounts a on a.id = 'escrow:order:' || o.id
    cross join lateral (select case when o.status in ('completed', 'cancelled', 'split') then 0
                                    else o.budget_milli end as expected) e
    where coalesce(a.balance, 0) <> e.expected
    limit 100`,
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
    escrowMismatches: escrows.map((r) => ({
      orderId: r.order_id,
      status: r.status,
      escrow: r.escrow,
      expected: r.expected,
    })),
    accountsChecked: count[0]?.n ?? 0,
  };
}

export const BALANCE_CHANNEL = "ledger_balances";

const NOTIFY_BALANCES = statement(
  "ledger_notify_balances",
  `select pg_notify('${BALANCE_CHANNEL}', owner) from unnest($1::text[]) as owner`,
);

/**
 * Tells every process whose balances changed. Sent after the spend committed, on its own: a NOTIFY in
 * the spend's transaction would hold a global lock through every commit and serialize all spends.
 */
export async function notifyBalanceChanged(ex: Executor, ownerUserIds: string[]): Promise<void> {
  if (ownerUserIds.length > 0) await send(ex, NOTIFY_BALANCES, [ownerUserIds]);
}

/** Keeps a reconciliation's report (the daily job, or an admin's 立即对账). */
export async function insertReconciliationRun(
  ex: Executor,
  run: { id: string; ok: boolean; report: unknown; ranBy: string | null; ranAt: Date },
): Promise<void> {
  await ex.execute(
    sql`insert into reconciliation_runs (id, ok, report, ran_by, ran_at)
        values (${run.id}, ${run.ok}, ${JSON.stringify(run.report)}::jsonb, ${run.ranBy},
                ${run.ranAt.toISOString()}::timestamptz)`,
  );
}

export async function latestReconciliationRun(
  ex: Executor,
): Promise<{ report: unknown; ran_at: Date | string } | null> {
  const [row] = await queryRows<{ report: unknown; ran_at: Date | string }>(
    ex,
    sql`select report, ran_at from reconciliation_runs order by ran_at desc limit 1`,
  );
  return row ?? null;
}
