import { z } from "zod";
import { id, isoDateTime } from "./common.js";
import { visibleText } from "./text.js";

export const ratio = z.enum(["9:16", "16:9", "1:1"]);
export type Ratio = z.infer<typeof ratio>;

export const taskStatus = z.enum(["NOT_START", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE"]);
export type TaskStatus = z.infer<typeof taskStatus>;

export const mediaUploadResult = z.object({
  asset_id: id,
  url: z.string().describe("signed, expiring URL of the stored image"),
  size: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  mime: z.enum(["image/jpeg", "image/png", "image/webp"]),
});
export type MediaUploadResult = z.infer<typeof mediaUploadResult>;

export const taskCreateBody = z.strictObject({
  /** ≤ 1000 characters (code points, as the app counts them, not UTF-16 units), some of them visible. */
  prompt: visibleText(1, 1000),
  duration_sec: z.number().int().positive(),
  ratio,
  model: z.string().min(1).max(64),
  /** One of the model's resolutions (`GET /config`); absent: the model's default (its first). */
  resolution: z.string().min(1).max(16).optional(),
  project_id: id.nullable().optional(),
  reference_image_asset_id: id.nullable().optional(),
  /** 换用同类模型: when the model's vendor is down, move to an equivalent model at the same or a lower price. */
  allow_failover: z.boolean().optional(),
});
export type TaskCreateBody = z.infer<typeof taskCreateBody>;

export const taskCreateResult = z.object({
  task_id: id,
  status: taskStatus,
  cost_credits: z.number().int(),
  balance_after: z.number().int(),
  estimated_seconds: z.number().int(),
});
export type TaskCreateResult = z.infer<typeof taskCreateResult>;

export const task = z.object({
  task_id: id,
  status: taskStatus,
  progress: z.number().int().min(0).max(100),
  prompt: z.string(),
  duration_sec: z.number().int(),
  ratio,
  model: z.string(),
  project_id: id.nullable(),
  reference_image_asset_id: id.nullable(),
  cost_credits: z.number().int(),
  video_id: id.nullable(),
  /** A signed 1-hour link to the finished video's thumbnail (null until SUCCESS, or if it was deleted). */
  thumbnail_url: z.string().nullable(),
  /** The expected time from creation to a finished video, for the "about N s" hint. */
  estimated_seconds: z.number().int(),
  error_message: z.string().nullable(),
  refunded: z.boolean(),
  created_at: isoDateTime,
  updated_at: isoDateTime,
  finished_at: isoDateTime.nullable(),
});
export type Task = z.infer<typeof task>;

export const tasksQuery = z.strictObject({
  status: z.enum(["ALL", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE"]).default("ALL"),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const videoAsset = z.object({
  video_id: id,
  project_id: id.nullable(),
  task_id: id.nullable(),
  prompt: z.string(),
  watermarked_play_url: z.string().describe("signed, expiring URL of the watermarked play copy"),
  thumbnail_url: z.string(),
  duration_sec: z.number().int(),
  ratio,
  width: z.number().int(),
  height: z.number().int(),
  publish_status: z.enum(["draft", "published"]),
  downloaded_before: z.boolean().describe("the owner has bought a no-watermark download of it before"),
  created_at: isoDateTime,
});
export type VideoAsset = z.infer<typeof videoAsset>;

export const videosQuery = z.strictObject({
  project_id: z.string().max(64).optional().describe("a project id, or `none` for 未分类"),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const videoPatchBody = z.strictObject({ project_id: id.nullable() });

export const downloadResult = z.object({
  download_url: z.string(),
  expire_at: isoDateTime,
  cost_credits: z.number().int(),
  balance_after: z.number().int(),
});
export type DownloadResult = z.infer<typeof downloadResult>;

export const project = z.object({
  project_id: id,
  name: z.string(),
  video_count: z.number().int(),
  created_at: isoDateTime,
});
export type Project = z.infer<typeof project>;
export const projectBody = z.strictObject({ name: visibleText(1, 30, { singleLine: true }) });
