import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Uploaded images (reference images for image→video; later avatars). Private to the owner. */
export const mediaAssets = pgTable(
  "media_assets",
  {
    id: text("id").primaryKey(),
    ownerUserId: text("owner_user_id").notNull(),
    storageKey: text("storage_key").notNull(),
    mime: text("mime").notNull(),
    size: integer("size").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("media_assets_owner_idx").on(t.ownerUserId, t.createdAt)],
);

export const projects = pgTable(
  "projects",
  {
    id: text("id").primaryKey(),
    ownerUserId: text("owner_user_id").notNull(),
    name: text("name").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("projects_owner_idx").on(t.ownerUserId, t.createdAt)],
);

export const tasks = pgTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status", { enum: ["NOT_START", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE"] }).notNull(),
    progress: integer("progress").notNull().default(0),
    prompt: text("prompt").notNull(),
    durationSec: integer("duration_sec").notNull(),
    ratio: text("ratio", { enum: ["9:16", "16:9", "1:1"] }).notNull(),
    model: text("model").notNull(),
    vendor: text("vendor").notNull(),
    vendorTaskId: text("vendor_task_id"),
    vendorVideoUrl: text("vendor_video_url"),
    projectId: text("project_id"),
    referenceImageAssetId: text("reference_image_asset_id"),
    /** `remix`: created by POST /works/{id}/remix from `sourceWorkId`; its fee is settled with the task. */
    sourceType: text("source_type", { enum: ["create", "remix"] })
      .notNull()
      .default("create"),
    sourceWorkId: text("source_work_id"),
    remixFeeCredits: integer("remix_fee_credits").notNull().default(0),
    /**
     * What the owner is shown as the prompt when it differs from what the vendor gets: a remix of a locked
     * prompt the remixer has not unlocked shows only the remixer's own addition. Null: `prompt`.
     */
    displayPrompt: text("display_prompt"),
    costCredits: integer("cost_credits").notNull(),
    errorMessage: text("error_message"),
    refunded: boolean("refunded").notNull().default(false),
    videoId: text("video_id"),
    pollErrors: integer("poll_errors").notNull().default(0),
    nextPollAt: ts("next_poll_at"),
    mediaQueuedAt: ts("media_queued_at"),
    submittedAt: ts("submitted_at"),
    /**
     * Set just before a create is sent to the vendor: a later attempt that finds it set without a
     * vendor task id must reconcile (findByReference) instead of creating again blindly.
     */
    submitSentAt: ts("submit_sent_at"),
    /** The user allowed a move to an equivalent model (换用同类模型) when the vendor is down. */
    allowFailover: boolean("allow_failover").notNull().default(false),
    /** What the vendor charges us for this task, in milli-yuan, recorded when it is submitted. */
    vendorCostMilli: bigint("vendor_cost_milli", { mode: "bigint" }),
    /** The reference image as it was sent to the vendor (after media/prepare-image.ts). */
    sentImage: jsonb("sent_image").$type<{
      width: number;
      height: number;
      bytes: number;
      mime: string;
      resized: boolean;
      padded: boolean;
    }>(),
    /** The output resolution asked for (`720p`…), one of the model's; null before resolutions existed. */
    resolution: text("resolution"),
    /** Fixed at creation from the model's timeout: the sweep refunds past it even if the model is gone. */
    timeoutAt: ts("timeout_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    index("tasks_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("tasks_due_poll_idx").on(t.status, t.nextPollAt),
    /** The admin dashboard's generations by day. */
    index("tasks_created_idx").on(t.createdAt),
    index("tasks_unfinished_timeout_idx")
      .on(t.timeoutAt)
      .where(sql`${t.status} in ('NOT_START', 'QUEUED', 'IN_PROGRESS')`),
  ],
);

/**
 * Vendors a worker's circuit breaker found down, shared by every process through the model catalog
 * (a NOTIFY on `model_catalog` brings a change at once). A row counts only until `expiresAt`: a worker
 * that died with its breaker open cannot hide a vendor's models for good.
 */
export const vendorHealth = pgTable("vendor_health", {
  vendor: text("vendor").primaryKey(),
  down: boolean("down").notNull(),
  reason: text("reason"),
  expiresAt: ts("expires_at").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/**
 * Per-user generation limits as counters (SPEC §1: ≤ 5 unfinished, ≤ 100 a Shanghai day), changed by
 * conditional updates in the task's own transaction instead of counting rows under a lock.
 */
export const generationQuotas = pgTable(
  "generation_quotas",
  {
    userId: text("user_id").primaryKey(),
    unfinished: integer("unfinished").notNull().default(0),
    /** The Shanghai business day `dayCount` belongs to. */
    day: date("day", { mode: "string" }).notNull(),
    dayCount: integer("day_count").notNull().default(0),
    /** Which limit refused the latest attempt (null when it was taken). */
    refused: text("refused", { enum: ["unfinished", "daily"] }),
  },
  (t) => [check("generation_quotas_unfinished_non_negative", sql`${t.unfinished} >= 0`)],
);

export const videoAssets = pgTable(
  "video_assets",
  {
    id: text("id").primaryKey(),
    ownerUserId: text("owner_user_id").notNull(),
    taskId: text("task_id"),
    projectId: text("project_id"),
    prompt: text("prompt").notNull().default(""),
    sourceKey: text("source_key").notNull(),
    playKey: text("play_key").notNull(),
    thumbKey: text("thumb_key").notNull(),
    durationMs: integer("duration_ms").notNull(),
    ratio: text("ratio", { enum: ["9:16", "16:9", "1:1"] }).notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    publishStatus: text("publish_status", { enum: ["draft", "published"] })
      .notNull()
      .default("draft"),
    createdAt: ts("created_at").notNull().defaultNow(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    uniqueIndex("video_assets_task_uq").on(t.taskId),
    index("video_assets_owner_idx").on(t.ownerUserId, t.createdAt.desc(), t.id.desc()),
    index("video_assets_project_idx").on(t.projectId),
  ],
);

export const videoDownloads = pgTable(
  "video_downloads",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    videoId: text("video_id").notNull(),
    costCredits: integer("cost_credits").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("video_downloads_user_video_idx").on(t.userId, t.videoId)],
);
