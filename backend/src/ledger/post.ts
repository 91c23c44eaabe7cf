import { afterCommit, type Tx } from "../db/client.js";
import { enqueueWithCommit } from "../jobs/repository.js";
import { newId } from "../lib/ids.js";
import type { AccountRef, Asset } from "./accounts.js";
import { BusinessKeyConflictError, UnbalancedTransactionError } from "./errors.js";
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
  /**
   * Names one movement, e.g. `task:{id}:settle`. Posting it again with the same postings posts nothing
   * (a replay); with other postings it throws BusinessKeyConflictError.
   */
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
  /** True when the business key had already been posted with these postings: nothing moved now. */
  replayed: boolean;
  entries: PostedEntry[];
}

/**
 * Posts one double-entry transaction inside the caller's DB transaction (never outside one: a post is
 * all or nothing together with the action it pays for). Postings must sum to zero per asset; balances
 * change through conditional updates, user accounts before platform accounts, each group by id.
 */
export async function post(tx: Tx, input: TransactionInput): Promise<PostResult> {
  assertBalanced(input.postings);
  const transactionId = newId();
  const rows: repo.PostingRow[] = input.postings.map((p) => ({
    id: newId(),
    accountId: p.account.id,
    asset: p.account.asset,
    amount: p.amount,
    entryType: p.entryType,
    status: p.status ?? "settled",
    unlockAt: p.unlockAt ?? null,
  }));
  const posted = await repo.postTransaction(
    tx,
    {
      id: transactionId,
      businessKey: input.businessKey,
      type: input.type,
      refType: input.refType ?? null,
      refId: input.refId ?? null,
      description: input.description ?? "",
      metadata: input.metadata ?? null,
      createdAt: input.at ?? new Date(),
    },
    netDeltasInLockOrder(input.postings),
    rows,
  );
  if (posted[0]?.replayed) return replayOf(input, posted);

  scheduleLotReleases(tx, rows);
  const byId = new Map(posted.map((r) => [r.postingId, r]));
  const entries = rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    asset: r.asset as Asset,
    amount: r.amount,
    balanceAfter: byId.get(r.id)?.balanceAfter ?? 0n,
    entryType: r.entryType,
  }));
  const owners = new Set(
    input.postings.map((p) => p.account.ownerUserId).filter((id): id is string => id !== null),
  );
  afterCommit(tx, () => {
    for (const owner of owners) for (const listener of balanceListeners) listener(owner);
  });
  return { transactionId, replayed: false, entries };
}

/**
 * Every new lot gets its own release job at its unlock time (the hourly coins.release sweep is the
 * safety net); the job id is the lot's release key, so a lot is never scheduled twice.
 */
function scheduleLotReleases(tx: Tx, rows: repo.PostingRow[]): void {
  for (const r of rows) {
    if (r.status !== "pending" || r.amount <= 0n || !r.unlockAt) continue;
    enqueueWithCommit(
      tx,
      "coins.release_lot",
      { postingId: r.id },
      { id: `lot:${r.id}:release`, runAt: r.unlockAt },
    );
  }
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

/**
 * Each account once with its net change. One global order (user accounts first, then the shared platform
 * rows, each by id) prevents deadlocks and keeps the contended platform rows locked for the shortest time.
 */
function netDeltasInLockOrder(postings: PostingInput[]): repo.AccountDelta[] {
  const deltas = new Map<string, repo.AccountDelta>();
  for (const p of postings) {
    const current = deltas.get(p.account.id);
    deltas.set(p.account.id, { account: p.account, delta: (current?.delta ?? 0n) + p.amount });
  }
  return [...deltas.values()].sort(
    (a, b) =>
      Number(a.account.allowNegative) - Number(b.account.allowNegative) ||
      (a.account.id < b.account.id ? -1 : 1),
  );
}

/** The key was posted before: fine if it was this very movement, a loud error if it was another. */
function replayOf(input: TransactionInput, existing: repo.PostedRow[]): PostResult {
  const signature = (accountId: string, amount: bigint, entryType: string) =>
    `${accountId}|${amount}|${entryType}`;
  const wanted = input.postings.map((p) => signature(p.account.id, p.amount, p.entryType)).sort();
  const found = existing.map((r) => signature(r.accountId, r.amount, r.entryType)).sort();
  if (wanted.join("\n") !== found.join("\n")) throw new BusinessKeyConflictError(input.businessKey);
  return {
    transactionId: existing[0]?.transactionId ?? "",
    replayed: true,
    entries: existing.map((r) => ({
      id: r.postingId,
      accountId: r.accountId,
      asset: (input.postings.find((p) => p.account.id === r.accountId)?.account.asset ?? "CREDIT") as Asset,
      amount: r.amount,
      balanceAfter: r.balanceAfter,
      entryType: r.entryType,
    })),
  };
}
