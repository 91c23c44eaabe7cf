import { type DownloadResult, ErrorCode, type VideoAsset } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { accountsOf, type IdempotencyHandle, platform, post, withIdempotency } from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { assertOwnProject } from "../projects/service.js";
import { withdrawWorkOfVideo } from "../works/service.js";
import * as repo from "./repository.js";

const PLAY_URL_TTL_SEC = 3600;
const DOWNLOAD_URL_TTL_SEC = 3600;

async function present(ctx: AppContext, v: repo.VideoRow, downloaded: boolean): Promise<VideoAsset> {
  const [play, thumb] = await Promise.all([
    ctx.storage.signedUrl(v.playKey, { expiresInSec: PLAY_URL_TTL_SEC }),
    ctx.storage.signedUrl(v.thumbKey, { expiresInSec: PLAY_URL_TTL_SEC }),
  ]);
  return {
    video_id: v.id,
    project_id: v.projectId,
    task_id: v.taskId,
    prompt: v.prompt,
    watermarked_play_url: play.url,
    thumbnail_url: thumb.url,
    duration_sec: Math.round(v.durationMs / 1000),
    ratio: v.ratio,
    width: v.width,
    height: v.height,
    publish_status: v.publishStatus,
    downloaded_before: downloaded,
    created_at: v.createdAt.toISOString(),
  };
}

/** The finished task's asset, inside the task's completing transaction; null if it exists already. */
export async function createVideoAsset(tx: Tx, row: repo.NewVideo) {
  return repo.insertVideo(tx, row);
}

export async function countVideos(ctx: AppContext, userId: string): Promise<number> {
  return repo.countVideos(ctx.db, userId);
}

/** Owner's video or 404: another user's id never reveals anything. */
async function ownVideo(ctx: AppContext, userId: string, videoId: string) {
  const video = await repo.findVideo(ctx.db, videoId);
  if (!video || video.ownerUserId !== userId) throw notFound("video");
  return video;
}

export async function listVideos(
  ctx: AppContext,
  userId: string,
  query: { project_id?: string; cursor?: string; limit: number },
) {
  const project =
    query.project_id === undefined ? undefined : query.project_id === "none" ? null : query.project_id;
  const rows = await repo.listVideos(ctx.db, userId, project, decodeCursor(query.cursor), query.limit);
  const page = toPage(rows, query.limit, (r) => r);
  const downloaded = await repo.downloadedVideoIds(
    ctx.db,
    userId,
    page.items.map((v) => v.id),
  );
  return { ...page, items: await Promise.all(page.items.map((v) => present(ctx, v, downloaded.has(v.id)))) };
}

export async function getVideo(ctx: AppContext, userId: string, videoId: string): Promise<VideoAsset> {
  const video = await ownVideo(ctx, userId, videoId);
  const downloaded = await repo.downloadedVideoIds(ctx.db, userId, [video.id]);
  return present(ctx, video, downloaded.has(video.id));
}

export async function moveVideo(ctx: AppContext, userId: string, videoId: string, projectId: string | null) {
  if (projectId) await assertOwnProject(ctx, projectId, userId);
  const moved = await repo.moveVideo(ctx.db, videoId, userId, projectId);
  if (!moved) throw notFound("video");
  return getVideo(ctx, userId, moved.id);
}

export async function deleteVideo(ctx: AppContext, userId: string, videoId: string) {
  const deleted = await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await repo.softDeleteVideo(tx, videoId, userId, now))) return false;
    await withdrawWorkOfVideo(tx, videoId, userId, now);
    return true;
  });
  if (!deleted) throw notFound("video");
  return { deleted: true };
}

/**
 * Charges the no-watermark download on every call and returns a 1-hour signed link to the clean source;
 * its permanent key never leaves the server. An Idempotency-Key retry is the same call: it replays the
 * first answer (the same link) and charges nothing.
 */
export async function downloadNoWatermark(
  ctx: AppContext,
  userId: string,
  videoId: string,
  idempotency?: IdempotencyHandle<DownloadResult>,
): Promise<DownloadResult> {
  const video = await repo.findVideo(ctx.db, videoId);
  if (!video) throw notFound("video");
  if (video.ownerUserId !== userId) {
    throw new AppError(ErrorCode.NOT_ALLOWED, null, {
      zh: "只能下载自己的视频",
      en: "You can only download your own videos",
    });
  }
  const cost = ctx.economy.DOWNLOAD_NO_WATERMARK_CREDITS;
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const downloadId = newId();
    await repo.recordDownload(tx, { id: downloadId, userId, videoId, costCredits: cost, createdAt: now });
    const spend = await post(tx, {
      businessKey: `download:${downloadId}`,
      type: "download_spend",
      refType: "video",
      refId: videoId,
      description: "下载无水印视频",
      at: now,
      postings: [
        { account: accountsOf(userId).credits, amount: BigInt(-cost), entryType: "download_spend" },
        { account: platform.creditsSpent(userId), amount: BigInt(cost), entryType: "download_spend" },
      ],
    });
    // Signing is local computation (HMAC or an S3 presign), not a call to the store.
    const link = await ctx.storage.signedUrl(video.sourceKey, {
      expiresInSec: DOWNLOAD_URL_TTL_SEC,
      downloadName: `skyriff-${video.id}.mp4`,
    });
    const balanceAfter =
      spend.entries.find((e) => e.accountId === accountsOf(userId).credits.id)?.balanceAfter ?? 0n;
    return {
      download_url: link.url,
      expire_at: link.expireAt.toISOString(),
      cost_credits: cost,
      balance_after: Number(balanceAfter),
    };
  });
}

// What the works module does with assets: find one (its owner checks it) and follow publish state.
