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

export const platform = {
  creditsSold: platformAccount("platform:credits:sold", "CREDIT"),
  creditsGranted: platformAccount("platform:credits:granted", "CREDIT"),
  creditsSpent: platformAccount("platform:credits:spent", "CREDIT"),
  creditsHeld: platformAccount("platform:credits:held", "CREDIT"),
  coinsFeeIncome: platformAccount("platform:coins:fee_income", "COIN"),
  coinsCreatorPayable: platformAccount("platform:coins:creator_payable", "COIN"),
  coinsCashIn: platformAccount("platform:coins:cash_in", "COIN"),
  coinsCashOut: platformAccount("platform:coins:cash_out", "COIN"),
};
