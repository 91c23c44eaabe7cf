import { createHmac } from "node:crypto";
import {
  type CreatorBrief,
  ErrorCode,
  type PublishBody,
  type publishBody,
  type Work,
} from "@skyriff/contracts";
import type { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { shanghaiDate } from "../../lib/time.js";
import { recordActivity } from "../activity/repository.js";
import { findVideo, setPublishStatus } from "../assets/repository.js";
import { scheduleFeedRefresh } from "../feed/schedule.js";
import { assertClean } from "../moderation/service.js";
import { avatarUrlOf } from "../users/present.js";
import { markCreator, type UserRow } from "../users/service.js";
import * as repo from "./repository.js";

export type { WorkView } from "./repository.js";

const PLAY_URL_TTL_SEC = 3600;

export function shareUrlOf(ctx: Pick<AppContext, "config">, workId: string): string {
  return `${ctx.config.publicBaseUrl}/works/${workId}`;
}

async function brief(
  ctx: AppContext,
  userId: string,
  nickname: string,
  avatarUrl: string | null,
  avatarKey: string | null,
): Promise<CreatorBrief> {
  const avatar = await avatarUrlOf(ctx, { avatarUrl, avatarStorageKey: avatarKey } as UserRow);
  return { user_id: userId, nickname, avatar_url: avatar };
}

/** A work view as the `work` contract. Signing links is local computation: no I/O per item. */
export async function presentWork(
  ctx: AppContext,
  w: repo.WorkView,
  viewerId: string | null,
  opts: { urlTtlSec?: number } = {},
): Promise<Work> {
  const expiresInSec = opts.urlTtlSec ?? PLAY_URL_TTL_SEC;
  const [play, cover, creator, remixCreator] = await Promise.all([
    ctx.storage.signedUrl(w.play_key, { expiresInSec }),
    ctx.storage.signedUrl(w.thumb_key, { expiresInSec }),
    brief(ctx, w.creator_user_id, w.creator_nickname, w.creator_avatar_url, w.creator_avatar_key),
    w.remix_of_work_id && w.remix_creator_id
      ? brief(
          ctx,
          w.remix_creator_id,
          w.remix_creator_nickname ?? "",
          w.remix_creator_avatar_url,
          w.remix_creator_avatar_key,
        )
      : Promise.resolve(null),
  ]);
  return {
    work_id: w.id,
    video_id: w.video_id,
    title: w.title,
    description: w.description,
    creator,
    stats: {
      like_count: Number(w.like_count),
      favorite_count: Number(w.favorite_count),
      tip_count: Number(w.tip_count),
      share_count: Number(w.share_count),
      view_count: Number(w.view_count),
      remix_count: Number(w.remix_count),
    },
    viewer: {
      is_liked: w.is_liked,
      is_favorited: w.is_favorited,
      is_prompt_unlocked: w.is_prompt_unlocked,
      is_following: w.is_following,
      is_own: viewerId !== null && viewerId === w.creator_user_id,
    },
    is_prompt_locked: w.is_prompt_locked,
    prompt_price_credits: w.prompt_price_credits,
    remix_fee_credits: w.remix_fee_credits,
    allow_remix: w.allow_remix,
    play_url: play.url,
    cover_url: cover.url,
    duration_sec: Math.round(w.duration_ms / 1000),
    ratio: w.ratio,
    width: w.width,
    height: w.height,
    share_url: shareUrlOf(ctx, w.id),
    remixed_from:
      w.remix_of_work_id && remixCreator
        ? { work_id: w.remix_of_work_id, title: w.remix_title ?? "", creator: remixCreator }
        : null,
    status: w.status,
    created_at: new Date(w.created_at).toISOString(),
  };
}

export async function presentWorks(
  ctx: AppContext,
  rows: repo.WorkView[],
  viewerId: string | null,
): Promise<Work[]> {
  return Promise.all(rows.map((r) => presentWork(ctx, r, viewerId)));
}

/** A work anyone may see (published), or the viewer's own in any state; else 404. */
export async function visibleWorkView(
  ctx: AppContext,
  workId: string,
  viewerId: string | null,
): Promise<repo.WorkView> {
  const view = await repo.findWorkView(ctx.db, workId, viewerId);
  if (!view || (view.status !== "published" && view.creator_user_id !== viewerId)) throw notFound("work");
  return view;
}

/**
 * Publishes the owner's draft video as a work (SPEC §4): once per video (a second publish is 409/2007);
 * an unpublished work of the same video comes back with its stats. One transaction: the work and its
 * zeroed stats, the asset's state, the creator flag and works count, the remix lineage, the activity
 * event and a debounced feed refresh.
 */
export async function publish(
  ctx: AppContext,
  userId: string,
  body: z.output<typeof publishBody>,
): Promise<Work> {
  assertClean({ title: body.title, description: body.description });
  const video = await findVideo(ctx.db, body.video_id);
  if (!video || video.ownerUserId !== userId) throw notFound("video");
  const existing = await repo.findWorkByVideo(ctx.db, video.id);
  if (video.publishStatus === "published" || (existing && existing.status !== "unpublished")) {
    throw alreadyPublished(existing?.id ?? null);
  }
  const source = existing ? null : await repo.taskSource(ctx.db, video.taskId);
  const remixOf = source?.sourceType === "remix" ? source.sourceWorkId : null;
  const workId = await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const settings = {
      title: body.title,
      description: body.description,
      isPromptLocked: body.is_prompt_locked,
      promptPriceCredits: body.prompt_price_credits,
      remixFeeCredits: body.remix_fee_credits,
      allowRemix: body.allow_remix,
    };
    const work = existing
      ? await repo.republishWork(tx, existing.id, { ...settings, updatedAt: now })
      : await repo.insertWork(tx, {
          id: newId(),
          creatorUserId: userId,
          videoId: video.id,
          prompt: video.prompt,
          remixOfWorkId: remixOf,
          ...settings,
          createdAt: now,
          updatedAt: now,
        });
    if (!work) throw alreadyPublished(existing?.id ?? null);
    // Source stats before the creator's row: the same order a like takes (work_stats, then user_stats).
    if (!existing && remixOf) await repo.addRemixCount(tx, remixOf);
    await setPublishStatus(tx, video.id, "published");
    await markCreator(tx, userId);
    await repo.addWorksCount(tx, userId, 1);
    recordActivity(tx, userId, "publish_work", work.id, now);
    await scheduleFeedRefresh(tx);
    return work.id;
  });
  ctx.jobs.kick();
  return presentWork(ctx, await visibleWorkView(ctx, workId, userId), userId);
}

const alreadyPublished = (workId: string | null) =>
  new AppError(
    ErrorCode.STATE_CONFLICT,
    { reason: "already_published", work_id: workId },
    { zh: "该视频已发布", en: "This video is already published" },
  );

/** The creator takes the work down: it leaves every feed, profile and favorite list at once. */
export async function unpublish(
  ctx: AppContext,
  userId: string,
  workId: string,
): Promise<{ work_id: string; status: Work["status"] }> {
  const work = await repo.findWork(ctx.db, workId);
  if (!work || (work.status !== "published" && work.creatorUserId !== userId)) throw notFound("work");
  if (work.creatorUserId !== userId) {
    throw new AppError(ErrorCode.NOT_ALLOWED, null, {
      zh: "只能下架自己的作品",
      en: "You can only unpublish your own works",
    });
  }
  const done = await ctx.db.transaction(async (tx) => {
    const changed = await withdrawWork(tx, workId, userId, ctx.clock.now());
    if (changed) await setPublishStatus(tx, changed.videoId, "draft");
    return changed;
  });
  // Repeating it changes nothing (idempotent); a taken-down work stays taken down.
  return { work_id: workId, status: done ? "unpublished" : work.status };
}

/** Takes a published work out of the public (status `unpublished`, the creator's works count − 1). */
async function withdrawWork(tx: Tx, workId: string, creatorId: string, at: Date) {
  const changed = await repo.unpublishWork(tx, workId, creatorId, at);
  if (changed) await repo.addWorksCount(tx, creatorId, -1);
  return changed;
}

/**
 * Deleting a published video from 资产 withdraws its work in the same transaction: a work never plays a
 * video its owner deleted.
 */
export async function withdrawWorkOfVideo(tx: Tx, videoId: string, ownerId: string, at: Date): Promise<void> {
  const work = await repo.findWorkByVideo(tx, videoId);
  if (work?.status === "published" && work.creatorUserId === ownerId)
    await withdrawWork(tx, work.id, ownerId, at);
}

/** Who is viewing, for the one-view-per-day count: the user, or a keyed hash of the client address. */
export function viewerKeyOf(ctx: AppContext, viewerId: string | null, ip: string): string {
  if (viewerId) return `u:${viewerId}`;
  return `ip:${createHmac("sha256", ctx.config.appSecret).update(`view:${ip}`).digest("base64url").slice(0, 22)}`;
}

/** `GET /works/{id}`: the work with the viewer's flags; counts one view per viewer per Shanghai day. */
export async function getWork(
  ctx: AppContext,
  workId: string,
  viewerId: string | null,
  ip: string,
): Promise<Work> {
  const view = await visibleWorkView(ctx, workId, viewerId);
  if (view.status === "published") {
    const day = shanghaiDate(ctx.clock.now());
    const counted = await ctx.db.transaction((tx) =>
      repo.countView(tx, workId, viewerKeyOf(ctx, viewerId, ip), day),
    );
    if (counted) view.view_count = Number(view.view_count) + 1;
  }
  return presentWork(ctx, view, viewerId);
}

export async function share(
  ctx: AppContext,
  workId: string,
): Promise<{ share_url: string; share_count: number }> {
  const count = await repo.addShare(ctx.db, workId);
  if (count === null) throw notFound("work");
  return { share_url: shareUrlOf(ctx, workId), share_count: count };
}

/** The published work's creator, or 404 (likes, favorites and tips on a removed work). */
export async function requirePublishedCreator(ctx: Pick<AppContext, "db">, workId: string): Promise<string> {
  const creator = await repo.publishedCreator(ctx.db, workId);
  if (!creator) throw notFound("work");
  return creator;
}

export type { PublishBody };
