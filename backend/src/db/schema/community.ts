import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A published video asset (SPEC §4). One work per asset; unpublishing keeps the row (stats, lineage). */
export const works = pgTable(
  "works",
  {
    id: text("id").primaryKey(),
    creatorUserId: text("creator_user_id").notNull(),
    videoId: text("video_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    /** The task's final prompt, copied at publish time. */
    prompt: text("prompt").notNull(),
    isPromptLocked: boolean("is_prompt_locked").notNull().default(true),
    promptPriceCredits: integer("prompt_price_credits").notNull().default(5),
    remixFeeCredits: integer("remix_fee_credits").notNull().default(2),
    allowRemix: boolean("allow_remix").notNull().default(true),
    /** The work this one is a remix of (through the remix task's video). */
    remixOfWorkId: text("remix_of_work_id"),
    status: text("status", { enum: ["published", "unpublished", "taken_down"] })
      .notNull()
      .default("published"),
    takedownReason: text("takedown_reason"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("works_video_uq").on(t.videoId),
    index("works_creator_idx")
      .on(t.creatorUserId, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.status} = 'published'`),
    index("works_published_created_idx")
      .on(t.createdAt.desc(), t.id.desc())
      .where(sql`${t.status} = 'published'`),
    index("works_remix_of_idx").on(t.remixOfWorkId),
    check("works_prompt_price_range", sql`${t.promptPriceCredits} between 0 and 100`),
    check("works_remix_fee_range", sql`${t.remixFeeCredits} between 0 and 50`),
  ],
);

/** Counters of a work, changed in the action's transaction; the ranking reads them, never count(*). */
export const workStats = pgTable(
  "work_stats",
  {
    workId: text("work_id").primaryKey(),
    likeCount: integer("like_count").notNull().default(0),
    favoriteCount: integer("favorite_count").notNull().default(0),
    tipCount: integer("tip_count").notNull().default(0),
    tipCredits: bigint("tip_credits", { mode: "bigint" }).notNull().default(sql`0`),
    shareCount: integer("share_count").notNull().default(0),
    viewCount: integer("view_count").notNull().default(0),
    remixCount: integer("remix_count").notNull().default(0),
  },
  (t) => [
    check(
      "work_stats_non_negative",
      sql`${t.likeCount} >= 0 and ${t.favoriteCount} >= 0 and ${t.tipCount} >= 0 and ${t.shareCount} >= 0 and ${t.viewCount} >= 0 and ${t.remixCount} >= 0`,
    ),
  ],
);

/** Counters of a user as creator and follower. */
export const userStats = pgTable(
  "user_stats",
  {
    userId: text("user_id").primaryKey(),
    followersCount: integer("followers_count").notNull().default(0),
    followingCount: integer("following_count").notNull().default(0),
    likesReceived: integer("likes_received").notNull().default(0),
    worksCount: integer("works_count").notNull().default(0),
    /** Credits tipped to this user's works (the tip ranking). */
    totalTippedCredits: bigint("total_tipped_credits", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [
    index("user_stats_tipped_idx").on(t.totalTippedCredits.desc(), t.userId),
    check(
      "user_stats_non_negative",
      sql`${t.followersCount} >= 0 and ${t.followingCount} >= 0 and ${t.likesReceived} >= 0 and ${t.worksCount} >= 0`,
    ),
  ],
);

export const likes = pgTable(
  "likes",
  {
    userId: text("user_id").notNull(),
    workId: text("work_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.workId] }), index("likes_work_idx").on(t.workId)],
);

export const favorites = pgTable(
  "favorites",
  {
    userId: text("user_id").notNull(),
    workId: text("work_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.workId] }),
    index("favorites_user_created_idx").on(t.userId, t.createdAt.desc(), t.workId.desc()),
    index("favorites_work_idx").on(t.workId),
  ],
);

export const follows = pgTable(
  "follows",
  {
    followerId: text("follower_id").notNull(),
    followeeId: text("followee_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index("follows_followee_created_idx").on(t.followeeId, t.createdAt.desc(), t.followerId.desc()),
    index("follows_follower_created_idx").on(t.followerId, t.createdAt.desc(), t.followeeId.desc()),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

/** One view per viewer (a user id, or an anonymous key) per work per Shanghai day. */
export const workViews = pgTable(
  "work_views",
  {
    workId: text("work_id").notNull(),
    viewerKey: text("viewer_key").notNull(),
    day: date("day", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workId, t.viewerKey, t.day] })],
);

/** A paid (or free) prompt unlock: once per user and work. */
export const promptUnlocks = pgTable(
  "prompt_unlocks",
  {
    userId: text("user_id").notNull(),
    workId: text("work_id").notNull(),
    costCredits: integer("cost_credits").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.workId] })],
);

export const tips = pgTable(
  "tips",
  {
    id: text("id").primaryKey(),
    workId: text("work_id").notNull(),
    payerUserId: text("payer_user_id").notNull(),
    creatorUserId: text("creator_user_id").notNull(),
    amountCredits: integer("amount_credits").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("tips_work_idx").on(t.workId),
    index("tips_creator_created_idx").on(t.creatorUserId, t.createdAt.desc()),
    index("tips_payer_created_idx").on(t.payerUserId, t.createdAt.desc()),
  ],
);

/**
 * Numbered ranking snapshots of the discover and hot orders (ARCHITECTURE §6b): a scroll pins one
 * version and pages by position, so it sees one order, each work exactly once.
 */
export const feedSnapshots = pgTable(
  "feed_snapshots",
  {
    tab: text("tab", { enum: ["discover", "hot"] }).notNull(),
    version: integer("version").notNull(),
    position: integer("position").notNull(),
    workId: text("work_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tab, t.version, t.position] })],
);

export const feedSnapshotVersions = pgTable(
  "feed_snapshot_versions",
  {
    tab: text("tab", { enum: ["discover", "hot"] }).notNull(),
    version: integer("version").notNull(),
    size: integer("size").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tab, t.version] })],
);

/**
 * What a user did, for the daily task center (Phase 3): publish_work, like_work, follow_user,
 * tip_and_favorite, remix_work. Written in the action's transaction; `day` is the Shanghai date.
 */
export const activityEvents = pgTable(
  "activity_events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    kind: text("kind", {
      enum: ["publish_work", "like_work", "follow_user", "tip_and_favorite", "remix_work", "gen_success"],
    }).notNull(),
    refId: text("ref_id"),
    day: date("day", { mode: "string" }).notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("activity_events_user_day_idx").on(t.userId, t.day, t.kind)],
);

/** The sensitive-word list (moderation), editable at runtime (admin issue). */
export const sensitiveWords = pgTable("sensitive_words", {
  word: text("word").primaryKey(),
  createdAt: ts("created_at").notNull().defaultNow(),
});
