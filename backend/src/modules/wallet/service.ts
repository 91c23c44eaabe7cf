import type { LedgerEntry, Wallets } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/client.js";
import {
  accountsOf,
  balancesOf,
  isPendingAccountId,
  listPostings,
  openLots,
  pendingShardsOf,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { formatCoins } from "../../lib/money.js";
import { presentLots } from "../creator-income/service.js";

/** pending_details lists at most this many lots (soonest first); `pending` is always the full total. */
const PENDING_DETAILS_MAX = 50;
type WalletCtx = Pick<AppContext, "db" | "walletCache" | "storage" | "clock">;

/** The three wallets, from the notify-invalidated cache when this process has a fresh copy. */
export async function getWallets(ctx: WalletCtx, userId: string): Promise<Wallets> {
  const cached = ctx.walletCache.get(userId);
  if (cached) return cached;
  const token = ctx.walletCache.begin();
  const wallets = await readWallets(ctx, userId);
  ctx.walletCache.set(userId, wallets, token);
  return wallets;
}

/**
 * Three statements whatever the number of lots: the balances (every pending shard, summed), the open lots
 * and the users who paid them.
 */
async function readWallets(ctx: WalletCtx, userId: string): Promise<Wallets> {
  const acc = accountsOf(userId);
  const pendingIds = pendingShardsOf(userId).map((a) => a.id);
  const [balances, lots] = await Promise.all([
    balancesOf(ctx.db, [acc.credits.id, acc.coinsAvailable.id, ...pendingIds]),
    openLots(ctx.db, pendingIds, PENDING_DETAILS_MAX),
  ]);
  const pending = pendingIds.reduce((sum, id) => sum + (balances.get(id) ?? 0n), 0n);
  return {
    credits: { balance: Number(balances.get(acc.credits.id) ?? 0n) },
    coins: {
      available: formatCoins(balances.get(acc.coinsAvailable.id) ?? 0n),
      pending: formatCoins(pending),
      pending_details: await presentLots(ctx, lots),
    },
  };
}

const walletOf = (accountId: string): LedgerEntry["wallet"] =>
  accountId.endsWith(":credits")
    ? "credits"
    : isPendingAccountId(accountId)
      ? "coins_pending"
      : "coins_available";

export async function listLedger(
  ex: Executor,
  userId: string,
  query: { type: "credits" | "coins"; cursor?: string; limit: number },
) {
  const acc = accountsOf(userId);
  const accountIds =
    query.type === "credits"
      ? [acc.credits.id]
      : [acc.coinsAvailable.id, ...pendingShardsOf(userId).map((a) => a.id)];
  const rows = await listPostings(ex, accountIds, decodeCursor(query.cursor), query.limit);
  return toPage(rows, query.limit, (r): LedgerEntry => {
    const credits = query.type === "credits";
    return {
      ledger_id: r.id,
      type: r.entryType,
      amount: credits ? Number(r.amount) : formatCoins(r.amount),
      balance_after: credits ? Number(r.balanceAfter) : formatCoins(r.balanceAfter),
      wallet: walletOf(r.accountId),
      status: r.status,
      unlock_at: r.unlockAt?.toISOString() ?? null,
      description: r.description,
      ref_type: r.refType,
      ref_id: r.refId,
      created_at: r.createdAt.toISOString(),
    };
  });
}
