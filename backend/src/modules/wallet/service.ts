import type { LedgerEntry, Wallets } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/client.js";
import { accountsOf, balancesOf, listPostings, pendingCoinPostings } from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { formatCoins } from "../../lib/money.js";

/** The three wallets, from the notify-invalidated cache when this process has a fresh copy. */
export async function getWallets(
  ctx: Pick<AppContext, "db" | "walletCache">,
  userId: string,
): Promise<Wallets> {
  const cached = ctx.walletCache.get(userId);
  if (cached) return cached;
  const token = ctx.walletCache.begin();
  const wallets = await readWallets(ctx.db, userId);
  ctx.walletCache.set(userId, wallets, token);
  return wallets;
}

async function readWallets(ex: Executor, userId: string): Promise<Wallets> {
  const acc = accountsOf(userId);
  const [balances, pending] = await Promise.all([
    balancesOf(ex, [acc.credits.id, acc.coinsAvailable.id, acc.coinsPending.id]),
    pendingCoinPostings(ex, acc.coinsPending.id),
  ]);
  return {
    credits: { balance: Number(balances.get(acc.credits.id) ?? 0n) },
    coins: {
      available: formatCoins(balances.get(acc.coinsAvailable.id) ?? 0n),
      pending: formatCoins(balances.get(acc.coinsPending.id) ?? 0n),
      pending_details: pending.map((p) => ({
        amount: formatCoins(p.amount),
        unlock_at: p.unlockAt?.toISOString() ?? null,
        source: p.source,
      })),
    },
  };
}

const walletOf = (accountId: string): LedgerEntry["wallet"] =>
  accountId.endsWith(":credits")
    ? "credits"
    : accountId.endsWith(":coins:pending")
      ? "coins_pending"
      : "coins_available";

export async function listLedger(
  ex: Executor,
  userId: string,
  query: { type: "credits" | "coins"; cursor?: string; limit: number },
) {
  const acc = accountsOf(userId);
  const accountIds =
    query.type === "credits" ? [acc.credits.id] : [acc.coinsAvailable.id, acc.coinsPending.id];
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
