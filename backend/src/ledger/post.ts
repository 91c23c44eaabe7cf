import { afterCommit, type Executor } from "../db/client.js";
import { newId } from "../lib/ids.js";
import type { AccountRef, Asset } from "./accounts.js";
import { InsufficientBalanceError, UnbalancedTransactionError } from "./errors.js";
import * as repo from "./repository.js";

const balanceListeners = new Set<(userId: string) => void>();

/** This process hears of a user's balance change the moment its transaction commits. */
export function onBalanceChanged(listener: (userId: string) => void): () => void {
  balanceListeners.add(listener);
  return () => balanceListeners.delete(listener);
}

export interface PostingInput {
  account: AccountRef;
  amount: bigint;
  /** The seed's user-visible type, e.g. gen_hold, bonus, creator_tip_income. */
  entryType: string;
  status?: "settled" | "pending";
  unlockAt?: Date | null;
}

export interface TransactionInput {
  /** Unique per movement, e.g. `task:{id}:refund`; a second post with the same key posts nothing. */
  businessKey: string;
  type: string;
  refType?: string | null;
  refId?: string | null;
  description?: string;
  metadata?: Record<string, unknown>;
  postings: PostingInput[];
  at?: Date;
}

export interface PostedEntry {
  id: string;
  accountId: string;
  asset: Asset;
  amount: bigint;
  balanceAfter: bigint;
  entryType: string;
}

export interface PostResult {
  transactionId: string;
  /** True when the business key had already been posted: nothing moved this time. */
  replayed: boolean;
  entries: PostedEntry[];
}

/**
 * Posts one double-entry transaction inside the caller's DB transaction. Postings must sum to zero
 * per asset; balances change through conditional updates in a fixed account order.
 */
export async function post(tx: Executor, input: TransactionInput): Promise<PostResult> {
  assertBalanced(input.postings);
  const transactionId = newId();
  const at = input.at ?? new Date();
  await repo.ensureAccounts(tx, uniqueAccounts(input.postings));
  const fresh = await repo.insertTransaction(tx, {
    id: transactionId,
    businessKey: input.businessKey,
    type: input.type,
    refType: input.refType ?? null,
    refId: input.refId ?? null,
    description: input.description ?? "",
    metadata: input.metadata ?? null,
    createdAt: at,
  });
  if (!fresh) return replay(tx, input.businessKey);

  const finalBalances = await applyDeltas(tx, input.postings);
  const entries = withBalanceAfter(input.postings, finalBalances);
  await repo.insertPostings(
    tx,
    entries.map((e, i) => ({
      id: e.id,
      transactionId,
      accountId: e.accountId,
      asset: e.asset,
      amount: e.amount,
      balanceAfter: e.balanceAfter,
      entryType: e.entryType,
      status: input.postings[i]?.status ?? "settled",
      unlockAt: input.postings[i]?.unlockAt ?? null,
      createdAt: at,
    })),
  );
  const owners = new Set(
    input.postings.map((p) => p.account.ownerUserId).filter((id): id is string => id !== null),
  );
  await repo.notifyBalanceChanged(tx, [...owners]);
  afterCommit(tx, () => {
    for (const owner of owners) for (const listener of balanceListeners) listener(owner);
  });
  return { transactionId, replayed: false, entries };
}

function assertBalanced(postings: PostingInput[]): void {
  if (postings.length < 2) throw new UnbalancedTransactionError("a transaction needs at least two postings");
  const sums = new Map<Asset, bigint>();
  for (const p of postings) {
    if (p.amount === 0n) throw new UnbalancedTransactionError("zero posting");
    sums.set(p.account.asset, (sums.get(p.account.asset) ?? 0n) + p.amount);
  }
  for (const [asset, sum] of sums) {
    if (sum !== 0n) throw new UnbalancedTransactionError(`${asset} postings sum to ${sum}, not 0`);
  }
}

function uniqueAccounts(postings: PostingInput[]): AccountRef[] {
  const byId = new Map(postings.map((p) => [p.account.id, p.account]));
  return [...byId.values()];
}

/** Locks and updates each account once, in a fixed order, so concurrent posts cannot deadlock. */
async function applyDeltas(tx: Executor, postings: PostingInput[]): Promise<Map<string, bigint>> {
  const deltas = new Map<string, { account: AccountRef; delta: bigint }>();
  for (const p of postings) {
    const current = deltas.get(p.account.id);
    deltas.set(p.account.id, { account: p.account, delta: (current?.delta ?? 0n) + p.amount });
  }
  const finals = new Map<string, bigint>();
  // One global order (user accounts first, then the shared platform rows, each by id) prevents
  // deadlocks and keeps the contended platform rows locked for the shortest time.
  const order = [...deltas.values()].sort(
    (a, b) =>
      Number(a.account.allowNegative) - Number(b.account.allowNegative) ||
      (a.account.id < b.account.id ? -1 : 1),
  );
  for (const id of order.map((d) => d.account.id)) {
    const { account, delta } = deltas.get(id) as { account: AccountRef; delta: bigint };
    let balance = await repo.applyDelta(tx, id, delta);
    if (balance === null && !(await repo.accountExists(tx, id))) {
      // The per-process "known accounts" memo can be wrong (e.g. another database): create and retry.
      repo.forgetKnownAccount(id);
      await repo.ensureAccounts(tx, [account]);
      balance = await repo.applyDelta(tx, id, delta);
    }
    if (balance === null) {
      const current = await repo.balanceOf(tx, id);
      throw new InsufficientBalanceError(id, account.asset, current, -delta);
    }
    finals.set(id, balance);
  }
  return finals;
}

function withBalanceAfter(postings: PostingInput[], finals: Map<string, bigint>): PostedEntry[] {
  const remaining = new Map<string, bigint>();
  for (const p of postings) remaining.set(p.account.id, (remaining.get(p.account.id) ?? 0n) + p.amount);
  const running = new Map<string, bigint>();
  for (const [id, total] of remaining) running.set(id, (finals.get(id) ?? 0n) - total);
  return postings.map((p) => {
    const after = (running.get(p.account.id) ?? 0n) + p.amount;
    running.set(p.account.id, after);
    return {
      id: newId(),
      accountId: p.account.id,
      asset: p.account.asset,
      amount: p.amount,
      balanceAfter: after,
      entryType: p.entryType,
    };
  });
}

async function replay(tx: Executor, businessKey: string): Promise<PostResult> {
  const existing = await repo.findTransactionByKey(tx, businessKey);
  if (!existing) throw new Error(`ledger transaction ${businessKey} vanished`);
  const rows = await repo.postingsOfTransaction(tx, existing.id);
  return {
    transactionId: existing.id,
    replayed: true,
    entries: rows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      asset: r.asset,
      amount: r.amount,
      balanceAfter: r.balanceAfter,
      entryType: r.entryType,
    })),
  };
}
