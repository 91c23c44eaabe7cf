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
  coinsPending: userAccount(userId, "coins:pending", "COIN"),
});

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

export const platform = {
  creditsSold: sharded("platform:credits:sold", "CREDIT"),
  creditsGranted: sharded("platform:credits:granted", "CREDIT"),
  creditsSpent: sharded("platform:credits:spent", "CREDIT"),
  creditsHeld: sharded("platform:credits:held", "CREDIT"),
  coinsFeeIncome: platformAccount("platform:coins:fee_income", "COIN"),
  coinsCreatorPayable: platformAccount("platform:coins:creator_payable", "COIN"),
  coinsCashIn: platformAccount("platform:coins:cash_in", "COIN"),
  coinsCashOut: platformAccount("platform:coins:cash_out", "COIN"),
  /** What a closed (注销) account left behind (`account_forfeit`): rare, so one row per asset. */
  creditsForfeited: platformAccount("platform:credits:forfeited", "CREDIT"),
  coinsForfeited: platformAccount("platform:coins:forfeited", "COIN"),
};
