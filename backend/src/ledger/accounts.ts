export type Asset = "CREDIT" | "COIN";

export interface AccountRef {
  id: string;
  asset: Asset;
  ownerUserId: string | null;
  /** Platform source/sink accounts may go negative; user accounts never. */
  allowNegative: boolean;
}

const userAccount = (userId: string, bucket: string, asset: Asset): AccountRef => ({
  id: `user:${userId}:${bucket}`,
  asset,
  ownerUserId: userId,
  allowNegative: false,
});

const platformAccount = (id: string, asset: Asset): AccountRef => ({
  id,
  asset,
  ownerUserId: null,
  allowNegative: true,
});

export const accountsOf = (userId: string) => ({
  credits: userAccount(userId, "credits", "CREDIT"),
  coinsAvailable: userAccount(userId, "coins:available", "COIN"),
  /** Shard 0 of the pending coins (see {@link pendingShard}); the pending balance is the sum of all shards. */
  coinsPending: userAccount(userId, "coins:pending", "COIN"),
});

/**
 * A creator's pending coins are spread over CREATOR_PENDING_SHARDS accounts so that many payers tipping
 * one creator do not queue on one row: shard 0 is `user:{id}:coins:pending` (the account every earlier
 * posting used), shard k ≥ 1 is `user:{id}:coins:pending:{k}`, picked by the payer. Accounts are created
 * lazily by `ledger_post`; every reader sums the shards ({@link pendingShardsOf}).
 */
export const CREATOR_PENDING_SHARDS = 16;

export function pendingShard(userId: string, payerKey: string): AccountRef {
  const k = shardOf(payerKey) % CREATOR_PENDING_SHARDS;
  return k === 0 ? accountsOf(userId).coinsPending : userAccount(userId, `coins:pending:${k}`, "COIN");
}

/** Every pending shard of a user, shard 0 first. */
export function pendingShardsOf(userId: string): AccountRef[] {
  return Array.from({ length: CREATOR_PENDING_SHARDS }, (_, k) =>
    k === 0 ? accountsOf(userId).coinsPending : userAccount(userId, `coins:pending:${k}`, "COIN"),
  );
}

/** `user:{id}:coins:pending` or one of its shards `user:{id}:coins:pending:{k}`. */
export const isPendingAccountId = (accountId: string): boolean => /:coins:pending(?::\d+)?$/.test(accountId);

/**
 * Platform accounts that every spend touches are split into shards picked by a key (the user id), so
 * concurrent spends of different users do not queue on one row. Their total is the sum over shards.
 */
export const PLATFORM_SHARDS = 64;

export function shardOf(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % PLATFORM_SHARDS;
}

const sharded = (base: string, asset: Asset) => (key: string) =>
  platformAccount(`${base}:${shardOf(key)}`, asset);

/** Every shard of a sharded platform account (reports sum them). */
export const platformShardIds = (base: string): string[] =>
  Array.from({ length: PLATFORM_SHARDS }, (_, k) => `${base}:${k}`);

export const platform = {
  creditsSold: sharded("platform:credits:sold", "CREDIT"),
  creditsGranted: sharded("platform:credits:granted", "CREDIT"),
  creditsSpent: sharded("platform:credits:spent", "CREDIT"),
  creditsHeld: sharded("platform:credits:held", "CREDIT"),
  /** The platform's 10 % of creator income, sharded by the payer (every tip touches it). */
  coinsFeeIncome: sharded("platform:coins:fee_income", "COIN"),
  /**
   * The source of coins minted from spent credits (creator income gross), sharded by the payer; it goes
   * negative by exactly what creators and the platform fee received.
   */
  coinsCreatorPayable: sharded("platform:coins:creator_payable", "COIN"),
  /** Coins sold for cash (coins packs): goes negative by what publishers bought. */
  coinsCashIn: platformAccount("platform:coins:cash_in", "COIN"),
  /** The source of promoters' commissions, sharded by the paying user. */
  coinsCommission: sharded("platform:coins:commission_expense", "COIN"),
  /** Coins of withdrawals under review or in payout: positive by exactly what is in flight. */
  coinsWithdrawing: platformAccount("platform:coins:withdrawing", "COIN"),
  /** Coins paid out to users' accounts (withdrawals that reached the payee). */
  coinsCashOut: platformAccount("platform:coins:cash_out", "COIN"),
  /** The counterpart of admins' coin adjustments (`admin_adjust`): negative by what admins granted. */
  coinsAdjustments: platformAccount("platform:coins:adjustments", "COIN"),
  /** What a closed (注销) account left behind (`account_forfeit`): rare, so one row per asset. */
  creditsForfeited: platformAccount("platform:credits:forfeited", "CREDIT"),
  coinsForfeited: platformAccount("platform:coins:forfeited", "COIN"),
};

/**
 * A commission order's escrow (SPEC §6): holds the budget from creation until the order ends, then is
 * emptied exactly once. Not a platform source: it may never go negative.
 */
export const escrowOfOrder = (orderId: string): AccountRef => ({
  id: `escrow:order:${orderId}`,
  asset: "COIN",
  ownerUserId: null,
  allowNegative: false,
});
