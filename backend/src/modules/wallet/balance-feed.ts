import type { FastifyBaseLogger } from "fastify";
import type { Database } from "../../db/client.js";
import { BALANCE_CHANNEL, notifyBalanceChanged, onBalanceChanged } from "../../ledger/index.js";
import type { WalletCache } from "./cache.js";

export interface BalanceFeed {
  close(): Promise<void>;
}

/**
 * Keeps the wallet cache exact across processes. This process drops a wallet the moment its own spend
 * commits; it then tells the others with one NOTIFY for every user whose balance changed since the last
 * one (coalesced per tick), and drops what the others tell it. While LISTEN is down the cache is off.
 */
export async function startBalanceFeed(
  database: Database,
  cache: WalletCache,
  log: FastifyBaseLogger,
): Promise<BalanceFeed> {
  const listener = await database.listen(BALANCE_CHANNEL, {
    onMessage: (userId) => cache.invalidate(userId),
    onReset: (live) => cache.reset(live),
  });
  let pending = new Set<string>();
  let flushing: Promise<void> | null = null;
  const flush = async () => {
    const users = [...pending];
    pending = new Set();
    await notifyBalanceChanged(database.db, users).catch((err) =>
      log.warn(
        { err, users: users.length },
        "could not publish balance changes; other processes' caches expire",
      ),
    );
  };
  const stopLocal = onBalanceChanged((userId) => {
    cache.invalidate(userId);
    pending.add(userId);
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush).finally(() => {
      flushing = null;
    });
  });
  return {
    close: async () => {
      stopLocal();
      await flushing;
      await listener.close();
    },
  };
}
