import { z } from "zod";
import { coinAmount, id, isoDateTime } from "./common.js";
import { ratio } from "./generation.js";
import { visibleText } from "./text.js";

/** Tip amounts a viewer may choose (SPEC §1). */
export const TIP_AMOUNTS = [10, 20, 50, 100] as const;

export const publishBody = z.strictObject({
  video_id: id,
  title: visibleText(1, 60),
  description: z.string().max(500).default(""),
  is_prompt_locked: z.boolean().default(true),
  prompt_price_credits: z.number().int().min(0).max(100).default(5),
  remix_fee_credits: z.number().int().min(0).max(50).default(2),
  allow_remix: z.boolean().default(true),
});
export type PublishBody = z.input<typeof publishBody>;

/** The creator as shown on a work, a feed item or a list of users. */
export const creatorBrief = z.object({
  user_id: id,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
});
export type CreatorBrief = z.infer<typeof creatorBrief>;

export const workStats = z.object({
  like_count: z.number().int(),
  favorite_count: z.number().int(),
  tip_count: z.number().int(),
  share_count: z.number().int(),
  view_count: z.number().int(),
  remix_count: z.number().int(),
});
export type WorkStats = z.infer<typeof workStats>;

export const viewerFlags = z.object({
  is_liked: z.boolean(),
  is_favorited: z.boolean(),
  is_prompt_unlocked: z.boolean(),
  is_following: z.boolean(),
  /** The viewer is the work's creator. */
  is_own: z.boolean(),
});
export type ViewerFlags = z.infer<typeof viewerFlags>;

/** A work as a feed item, a grid tile or a detail page. */
export const work = z.object({
  work_id: id,
  video_id: id,
  title: z.string(),
  description: z.string(),
  creator: creatorBrief,
  stats: workStats,
  viewer: viewerFlags,
  is_prompt_locked: z.boolean(),
  prompt_price_credits: z.number().int(),
  remix_fee_credits: z.number().int(),
  allow_remix: z.boolean(),
  /** Signed, expiring URL of the watermarked play copy. */
  play_url: z.string(),
  cover_url: z.string(),
  duration_sec: z.number().int(),
  ratio,
  width: z.number().int(),
  height: z.number().int(),
  share_url: z.string(),
  remixed_from: z.object({ work_id: id, title: z.string(), creator: creatorBrief }).nullable(),
  status: z.enum(["published", "unpublished", "taken_down"]),
  created_at: isoDateTime,
});
export type Work = z.infer<typeof work>;

export const feedQuery = z.strictObject({
  tab: z.enum(["discover", "hot", "following"]).default("discover"),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type FeedTab = z.infer<typeof feedQuery>["tab"];

export const creatorRanking = z.object({
  rank: z.number().int(),
  user_id: id,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  total_tipped_credits: z.number().int(),
  followers_count: z.number().int(),
});
export type CreatorRanking = z.infer<typeof creatorRanking>;

export const profile = z.object({
  user: creatorBrief.extend({ bio: z.string(), is_creator: z.boolean() }),
  stats: z.object({
    likes_received_count: z.number().int(),
    followers_count: z.number().int(),
    following_count: z.number().int(),
    works_count: z.number().int(),
    total_tipped_credits: z.number().int(),
  }),
  is_following: z.boolean(),
  is_self: z.boolean(),
});
export type Profile = z.infer<typeof profile>;

/** A user in a followers / following list. */
export const userListItem = creatorBrief.extend({
  bio: z.string(),
  is_following: z.boolean(),
  followed_at: isoDateTime,
});
export type UserListItem = z.infer<typeof userListItem>;

export const followResult = z.object({ is_following: z.boolean(), followers_count: z.number().int() });
export const likeResult = z.object({ is_liked: z.boolean(), like_count: z.number().int() });
export const favoriteResult = z.object({ is_favorited: z.boolean(), favorite_count: z.number().int() });
export const shareResult = z.object({ share_url: z.string(), share_count: z.number().int() });

export const tipBody = z.strictObject({
  amount_credits: z.union([z.literal(10), z.literal(20), z.literal(50), z.literal(100)]),
});
export const tipResult = z.object({
  tip_id: id,
  amount_credits: z.number().int(),
  balance_after: z.number().int(),
  /** What the creator receives, pending 7 days. */
  creator_income: coinAmount,
  is_favorited: z.literal(true),
  tip_count: z.number().int(),
  favorite_count: z.number().int(),
});
export type TipResult = z.infer<typeof tipResult>;

export const promptView = z.union([
  z.object({ locked: z.literal(false), prompt_text: z.string() }),
  z.object({ locked: z.literal(true), price_credits: z.number().int() }),
]);
export type PromptView = z.infer<typeof promptView>;

export const promptUnlockResult = z.object({
  locked: z.literal(false),
  prompt_text: z.string(),
  /** 0 on a repeat, for the creator and for a public prompt. */
  cost_credits: z.number().int(),
  balance_after: z.number().int(),
});
export type PromptUnlockResult = z.infer<typeof promptUnlockResult>;

export const remixBody = z.strictObject({
  prompt_delta: z.string().max(500).optional(),
  duration_sec: z.number().int().positive(),
  ratio,
  model: z.string().min(1).max(64),
  project_id: id.nullable().optional(),
});
export type RemixBody = z.infer<typeof remixBody>;

export const remixResult = z.object({
  task_id: id,
  remix_fee_credits: z.number().int(),
  cost_credits: z.number().int(),
  balance_after: z.number().int(),
  estimated_seconds: z.number().int(),
});
export type RemixResult = z.infer<typeof remixResult>;

/** An unreleased pending-coin lot (`GET /me/wallets` → coins.pending_details). */
export const pendingLot = z.object({
  lot_id: id,
  amount: coinAmount,
  unlock_at: isoDateTime,
  source: z.enum(["tip", "prompt", "remix", "order", "commission", "other"]),
  source_user: creatorBrief.nullable(),
  work_id: id.nullable(),
  created_at: isoDateTime,
});
export type PendingLot = z.infer<typeof pendingLot>;
