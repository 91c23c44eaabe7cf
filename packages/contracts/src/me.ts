import { z } from "zod";
import { userPublic } from "./auth.js";
import { coinAmount } from "./common.js";
import { wallets } from "./wallet.js";

export const userStats = z.object({
  followers_count: z.number().int(),
  following_count: z.number().int(),
  likes_received_count: z.number().int(),
  works_count: z.number().int(),
});

export const meHome = z.object({
  user: userPublic,
  stats: userStats,
  wallets,
  subscription: z
    .object({ end_at: z.string(), days_remaining: z.number().int(), today_claimed: z.boolean() })
    .nullable(),
  counts: z.object({
    videos: z.number().int(),
    projects: z.number().int(),
    favorites: z.number().int(),
    unfinished_tasks: z.number().int(),
  }),
});
export type MeHome = z.infer<typeof meHome>;

/** `POST /me/delete_account`: what the closed account forfeited (its ledger keeps every row). */
export const deleteAccountResult = z.object({
  deleted: z.literal(true),
  forfeited: z.object({
    credits: z.number().int(),
    coins_available: coinAmount,
    coins_pending: coinAmount,
  }),
});
export type DeleteAccountResult = z.infer<typeof deleteAccountResult>;
