import { z } from "zod";
import { coinAmount, id, isoDateTime } from "./common.js";
import { pendingLot } from "./community.js";

export const wallets = z.object({
  credits: z.object({ balance: z.number().int() }),
  coins: z.object({
    available: coinAmount,
    pending: coinAmount,
    /** Unreleased pending lots, soonest unlock first (at most 50; `pending` is the full total). */
    pending_details: z.array(pendingLot),
  }),
});
export type Wallets = z.infer<typeof wallets>;

/** User-visible ledger entry types (the seed's names). */
export const ledgerEntryType = z.enum([
  "recharge",
  "gen_hold",
  "gen_refund",
  "download_spend",
  "tip_spend",
  "paid_prompt_spend",
  "remix_spend",
  "remix_refund",
  "subscription_daily_bonus",
  "bonus",
  "admin_adjust",
  "creator_tip_income",
  "creator_prompt_income",
  "creator_remix_income",
  "creator_remix_reversal",
  "referral_commission_income",
  "order_payout_income",
  "order_escrow_hold",
  "order_escrow_refund",
  "coins_recharge",
  "coin_release",
  "withdraw",
  "withdraw_refund",
  "account_forfeit",
]);
export type LedgerEntryType = z.infer<typeof ledgerEntryType>;

export const ledgerQuery = z.strictObject({
  type: z.enum(["credits", "coins"]).default("credits"),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const ledgerEntry = z.object({
  ledger_id: id,
  type: z.string(),
  /** credits: integer as a number; coins: decimal string. */
  amount: z.union([z.number().int(), coinAmount]),
  balance_after: z.union([z.number().int(), coinAmount]),
  wallet: z.enum(["credits", "coins_available", "coins_pending"]),
  /** A pending lot reads settled once released (coin_release) and reversed once undone (a failed remix). */
  status: z.enum(["settled", "pending", "reversed"]),
  unlock_at: isoDateTime.nullable(),
  description: z.string(),
  ref_type: z.string().nullable(),
  ref_id: z.string().nullable(),
  created_at: isoDateTime,
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

export const devGrantBody = z.strictObject({
  user_id: id,
  credits: z.number().int().min(1).max(1_000_000),
});
export const devGrantResult = z.object({ ledger_id: id, balance_after: z.number().int() });
export type DevGrantResult = z.infer<typeof devGrantResult>;
