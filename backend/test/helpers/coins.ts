import { accountsOf, platform, post } from "../../src/ledger/index.js";
import { newId } from "../../src/lib/ids.js";
import type { TestApp } from "./app.js";

/** Available coins for a test user, as a coins pack would give them (`coins_recharge`, available at once). */
export async function grantAvailableCoins(t: TestApp, userId: string, coins: number): Promise<void> {
  const milli = BigInt(coins) * 1000n;
  await t.ctx.db.transaction((tx) =>
    post(tx, {
      businessKey: `test:${newId()}:coins`,
      type: "coins_recharge",
      description: "测试金币",
      at: t.clock.now(),
      postings: [
        { account: accountsOf(userId).coinsAvailable, amount: milli, entryType: "coins_recharge" },
        { account: platform.coinsCashIn, amount: -milli, entryType: "coins_recharge" },
      ],
    }),
  );
  t.ctx.walletCache.invalidate(userId);
}
