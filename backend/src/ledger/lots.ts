import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../db/client.js";
import { lockKey } from "../db/locks.js";
import { type AccountRef, type Asset, accountsOf, platform } from "./accounts.js";
import { type PostingInput, type PostResult, post } from "./post.js";
import { lockedBalancesOf } from "./repository.js";

/**
 * Pending coins are lots (SPEC §5, ARCHITECTURE §3): every creator income is one pending posting with its
 * own `unlock_at` on one of the creator's pending shards. A lot ends at most once, by a separate ledger
 * transaction that names it (`ref_type = 'lot', ref_id = posting id`):
 *   - release  `lot:{posting_id}:release`  pending shard → coins available (`coin_release`);
 *   - reverse  `lot:{posting_id}:reverse`  the income transaction's coin postings negated (a failed remix).
 * No posted row is ever edited: whether a lot is open is derived from the absence of its end. The one
 * place that decides is {@link endLot} (under a per-lot advisory lock), and the partial unique index
 * `ledger_transactions_lot_end_uq` makes a second end impossible even for code that bypasses it.
 */

export type LotEnd = "release" | "reverse";

export interface Lot {
  postingId: string;
  transactionId: string;
  accountId: string;
  ownerUserId: string;
  amount: bigint;
  unlockAt: Date | null;
  entryType: string;
  createdAt: Date;
  /** `release` / `reverse` when the lot has ended. */
  endedBy: LotEnd | null;
  /** The owner's account was closed (注销) after this lot: its coins went to platform:coins:forfeited. */
  forfeited: boolean;
}

export type LotOutcome =
  /** This call moved the lot. */
  | { status: "done"; result: PostResult }
  /** The lot had already ended this way: nothing moved (a retry). */
  | { status: "already" }
  /** The lot had ended the other way: nothing moved, ever (a reversed lot is never released, and vice versa). */
  | { status: "blocked"; by: LotEnd }
  /** Release only: not mature yet. */
  | { status: "not_due"; unlockAt: Date | null }
  /** Release only: the account was closed and the lot forfeited with it. */
  | { status: "forfeited" };

export class LotNotFoundError extends Error {
  constructor(readonly postingId: string) {
    super(`no pending lot ${postingId}`);
  }
}

interface LotRow {
  posting_id: string;
  transaction_id: string;
  account_id: string;
  owner_user_id: string;
  amount: string | bigint;
  unlock_at: Date | string | null;
  entry_type: string;
  created_at: Date | string;
  ended_by: string | null;
  forfeited: boolean;
}

const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

export async function findLot(ex: Executor, postingId: string): Promise<Lot | null> {
  const [row] = await queryRows<LotRow>(
    ex,
    sql`
    select p.id as posting_id, p.transaction_id, p.account_id, a.owner_user_id, p.amount::text as amount,
      p.unlock_at, p.entry_type, p.created_at, e.business_key as ended_by,
      exists (select 1 from ledger_transactions f
              where f.business_key = 'user:' || a.owner_user_id || ':forfeit' and f.created_at >= p.created_at)
        as forfeited
    from postings p
    join accounts a on a.id = p.account_id
    left join ledger_transactions e on e.ref_type = 'lot' and e.ref_id = p.id
    where p.id = ${postingId} and p.status = 'pending' and p.amount > 0 and a.owner_user_id is not null`,
  );
  if (!row) return null;
  return {
    postingId: row.posting_id,
    transactionId: row.transaction_id,
    accountId: row.account_id,
    ownerUserId: row.owner_user_id,
    amount: BigInt(row.amount),
    unlockAt: row.unlock_at === null ? null : toDate(row.unlock_at),
    entryType: row.entry_type,
    createdAt: toDate(row.created_at),
    endedBy: row.ended_by === null ? null : row.ended_by.endsWith(":release") ? "release" : "reverse",
    forfeited: row.forfeited,
  };
}

/** The pending lot a ledger transaction (by business key) created, e.g. a remix fee's creator income. */
export async function lotOfTransaction(ex: Executor, businessKey: string): Promise<string | null> {
  const [row] = await queryRows<{ id: string }>(
    ex,
    sql`
    select p.id from ledger_transactions t join postings p on p.transaction_id = t.id
    where t.business_key = ${businessKey} and p.status = 'pending' and p.amount > 0
    order by p.id limit 1`,
  );
  return row?.id ?? null;
}

const userAccountRef = (id: string, ownerUserId: string): AccountRef => ({
  id,
  asset: "COIN",
  ownerUserId,
  allowNegative: false,
});

/**
 * Moves a matured lot from its pending shard to the owner's available coins, exactly once: a second
 * call answers `already` and moves nothing; a reversed lot answers `blocked` and is never released.
 */
export function releaseLot(tx: Tx, postingId: string, at: Date = new Date()): Promise<LotOutcome> {
  return endLot(tx, postingId, "release", at);
}

/**
 * Undoes a lot's income (a failed remix): negates every coin posting of the transaction that created it
 * (creator share, platform fee, minted gross), exactly once; a released lot answers `blocked`.
 */
export function reverseLot(tx: Tx, postingId: string, at: Date = new Date()): Promise<LotOutcome> {
  return endLot(tx, postingId, "reverse", at);
}

/** The single place a lot ends; see the module comment. */
async function endLot(tx: Tx, postingId: string, end: LotEnd, at: Date): Promise<LotOutcome> {
  await lockKey(tx, `lot:${postingId}`);
  const lot = await findLot(tx, postingId);
  if (!lot) throw new LotNotFoundError(postingId);
  if (lot.endedBy === end) return { status: "already" };
  if (lot.endedBy) return { status: "blocked", by: lot.endedBy };
  // The shard row is locked before deciding, so an account closure cannot forfeit it in between.
  await lockedBalancesOf(tx, [lot.accountId]);
  const shard = userAccountRef(lot.accountId, lot.ownerUserId);
  const header = {
    businessKey: `lot:${postingId}:${end}`,
    refType: "lot",
    refId: postingId,
    at,
    metadata: { lot_id: postingId, lot_transaction_id: lot.transactionId },
  };

  if (end === "release") {
    if (lot.forfeited) return { status: "forfeited" };
    if (lot.unlockAt && lot.unlockAt.getTime() > at.getTime()) {
      return { status: "not_due", unlockAt: lot.unlockAt };
    }
    const result = await post(tx, {
      ...header,
      type: "coin_release",
      description: "金币解冻",
      postings: [
        { account: shard, amount: -lot.amount, entryType: "coin_release" },
        {
          account: accountsOf(lot.ownerUserId).coinsAvailable,
          amount: lot.amount,
          entryType: "coin_release",
        },
      ],
    });
    return { status: "done", result };
  }

  const original = await queryRows<{
    account_id: string;
    owner_user_id: string | null;
    allow_negative: boolean;
    amount: string | bigint;
    entry_type: string;
    status: string;
  }>(
    tx,
    sql`
    select p.account_id, a.owner_user_id, a.allow_negative, p.amount::text as amount, p.entry_type, p.status
    from postings p join accounts a on a.id = p.account_id
    where p.transaction_id = ${lot.transactionId} and p.asset = 'COIN'
    order by p.id`,
  );
  if (original.filter((p) => p.status === "pending").length !== 1) {
    throw new Error(`lot ${postingId}: its transaction must hold exactly one pending coin posting`);
  }
  const reversalType = lot.entryType.replace(/_income$/, "_reversal");
  const postings: PostingInput[] = original.map((p) => {
    const isLot = p.account_id === lot.accountId && p.status === "pending";
    // A forfeited lot's coins sit in platform:coins:forfeited now: the reversal takes them from there.
    const account: AccountRef =
      isLot && lot.forfeited
        ? platform.coinsForfeited
        : {
            id: p.account_id,
            asset: "COIN" as Asset,
            ownerUserId: p.owner_user_id,
            allowNegative: p.allow_negative,
          };
    return { account, amount: -BigInt(p.amount), entryType: isLot ? reversalType : p.entry_type };
  });
  const result = await post(tx, {
    ...header,
    type: reversalType,
    description: "创作收益撤回",
    postings,
  });
  return { status: "done", result };
}

export interface OpenLot {
  postingId: string;
  amount: bigint;
  unlockAt: Date | null;
  entryType: string;
  createdAt: Date;
  metadata: Record<string, unknown> | null;
}

/**
 * A user's open lots (neither released nor reversed) on the given pending shards, soonest unlock first:
 * one statement (the pending-lots index per shard, the lot-end index for the anti-join).
 */
export async function openLots(ex: Executor, accountIds: string[], limit: number): Promise<OpenLot[]> {
  const rows = await queryRows<{
    id: string;
    amount: string | bigint;
    unlock_at: Date | string | null;
    entry_type: string;
    created_at: Date | string;
    metadata: Record<string, unknown> | string | null;
  }>(
    ex,
    sql`
    select p.id, p.amount::text as amount, p.unlock_at, p.entry_type, p.created_at, t.metadata
    from postings p
    join ledger_transactions t on t.id = p.transaction_id
    where p.account_id in (${sql.join(
      accountIds.map((id) => sql`${id}`),
      sql`, `,
    )})
      and p.status = 'pending' and p.amount > 0
      and not exists (select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = p.id)
    order by p.unlock_at nulls last, p.id
    limit ${limit}`,
  );
  return rows.map((r) => ({
    postingId: r.id,
    amount: BigInt(r.amount),
    unlockAt: r.unlock_at === null ? null : toDate(r.unlock_at),
    entryType: r.entry_type,
    createdAt: toDate(r.created_at),
    metadata:
      typeof r.metadata === "string" ? (JSON.parse(r.metadata) as Record<string, unknown>) : r.metadata,
  }));
}
