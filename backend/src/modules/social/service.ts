import { ErrorCode, type Page, type Profile, type UserListItem, type Work } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { decodeCursor, encodeCursor } from "../../lib/cursor.js";
import { AppError } from "../../lib/errors.js";
import { recordActivity } from "../activity/repository.js";
import { notify } from "../notifications/repository.js";
import { avatarUrlOf } from "../users/present.js";
import type { UserRow } from "../users/service.js";
import { presentWorks, requirePublishedCreator } from "../works/service.js";
import * as repo from "./repository.js";

type PageQuery = { cursor?: string; limit: number };

const avatarOf = (ctx: AppContext, r: { avatar_url: string | null; avatar_storage_key: string | null }) =>
  avatarUrlOf(ctx, { avatarUrl: r.avatar_url, avatarStorageKey: r.avatar_storage_key } as UserRow);

function pageOf<R>(rows: R[], limit: number, keyOf: (r: R) => { createdAt: Date; id: string }) {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { kept, next_cursor: hasMore && last ? encodeCursor(keyOf(last)) : null, has_more: hasMore };
}

// ---- likes ----

/** Idempotent: like_count and the creator's likes_received change only when the like is new. */
export async function like(ctx: AppContext, userId: string, workId: string) {
  const creatorId = await requirePublishedCreator(ctx, workId);
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (await repo.insertLike(tx, userId, workId, creatorId, now)) {
      recordActivity(tx, userId, "like_work", workId, now);
    }
  });
  const { like_count } = await repo.workCounters(ctx.db, workId);
  return { is_liked: true, like_count };
}

export async function unlike(ctx: AppContext, userId: string, workId: string) {
  const creatorId = await requirePublishedCreator(ctx, workId);
  await ctx.db.transaction((tx) => repo.deleteLike(tx, userId, workId, creatorId));
  const { like_count } = await repo.workCounters(ctx.db, workId);
  return { is_liked: false, like_count };
}

// ---- favorites ----

/**
 * Adds the favorite in the caller's transaction; true when it is new (favorite_count + 1 only then).
 * tip_and_favorite can use it to favorite inside its own money transaction.
 */
export async function addFavorite(tx: Tx, userId: string, workId: string, at: Date): Promise<boolean> {
  return repo.insertFavorite(tx, userId, workId, at);
}

export async function favorite(ctx: AppContext, userId: string, workId: string) {
  await requirePublishedCreator(ctx, workId);
  await ctx.db.transaction((tx) => addFavorite(tx, userId, workId, ctx.clock.now()));
  const { favorite_count } = await repo.workCounters(ctx.db, workId);
  return { is_favorited: true, favorite_count };
}

export async function unfavorite(ctx: AppContext, userId: string, workId: string) {
  await requirePublishedCreator(ctx, workId);
  await ctx.db.transaction((tx) => repo.deleteFavorite(tx, userId, workId));
  const { favorite_count } = await repo.workCounters(ctx.db, workId);
  return { is_favorited: false, favorite_count };
}

/** `GET /me/favorites`: newest favorite first; a work taken down leaves the list at once. */
export async function listFavorites(ctx: AppContext, userId: string, q: PageQuery): Promise<Page<Work>> {
  const rows = await repo.favoritesPage(ctx.db, { userId, after: decodeCursor(q.cursor), limit: q.limit });
  const p = pageOf(rows, q.limit, (r) => ({ createdAt: new Date(r.fav_at), id: r.id }));
  return { items: await presentWorks(ctx, p.kept, userId), next_cursor: p.next_cursor, has_more: p.has_more };
}

// ---- follows ----

const cannotFollowSelf = () =>
  new AppError(
    ErrorCode.STATE_CONFLICT,
    { reason: "self_follow" },
    { zh: "不能关注自己", en: "You cannot follow yourself" },
  );

async function requireUser(ctx: AppContext, userId: string): Promise<void> {
  if (!(await repo.userExists(ctx.db, userId))) throw new AppError(ErrorCode.USER_NOT_FOUND);
}

/** Both users' counters, in user-id order (no deadlock between A→B and B→A). */
async function addFollowCounts(tx: Tx, followerId: string, followeeId: string, delta: 1 | -1) {
  const changes = [
    { id: followerId, followers: 0, following: delta },
    { id: followeeId, followers: delta, following: 0 },
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const c of changes) {
    await repo.addFollowCounts(tx, c.id, c.followers as -1 | 0 | 1, c.following as -1 | 0 | 1);
  }
}

/** Idempotent; following yourself is 409/2007; an unknown user 404/1003. */
export async function follow(ctx: AppContext, userId: string, targetId: string) {
  if (userId === targetId) throw cannotFollowSelf();
  await requireUser(ctx, targetId);
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await repo.insertFollow(tx, userId, targetId, now))) return;
    await addFollowCounts(tx, userId, targetId, 1);
    recordActivity(tx, userId, "follow_user", targetId, now);
    // Once per follower: unfollowing and following again tells no one a second time.
    notify(
      tx,
      {
        userId: targetId,
        kind: "new_follower",
        actorUserId: userId,
        refType: "user",
        refId: userId,
        dedupeKey: `follow:${userId}:${targetId}`,
      },
      now,
    );
  });
  return { is_following: true, followers_count: await repo.followersCount(ctx.db, targetId) };
}

export async function unfollow(ctx: AppContext, userId: string, targetId: string) {
  if (userId === targetId) throw cannotFollowSelf();
  await requireUser(ctx, targetId);
  await ctx.db.transaction(async (tx) => {
    if (await repo.deleteFollow(tx, userId, targetId)) await addFollowCounts(tx, userId, targetId, -1);
  });
  return { is_following: false, followers_count: await repo.followersCount(ctx.db, targetId) };
}

export async function followList(
  ctx: AppContext,
  userId: string,
  side: "followers" | "following",
  viewerId: string | null,
  q: PageQuery,
): Promise<Page<UserListItem>> {
  await requireUser(ctx, userId);
  const rows = await repo.followListPage(ctx.db, {
    userId,
    side,
    viewerId,
    after: decodeCursor(q.cursor),
    limit: q.limit,
  });
  const p = pageOf(rows, q.limit, (r) => ({ createdAt: new Date(r.followed_at), id: r.id }));
  const items = await Promise.all(
    p.kept.map(async (r) => ({
      user_id: r.id,
      nickname: r.nickname,
      avatar_url: await avatarOf(ctx, r),
      bio: r.bio,
      is_following: r.is_following,
      followed_at: new Date(r.followed_at).toISOString(),
    })),
  );
  return { items, next_cursor: p.next_cursor, has_more: p.has_more };
}

// ---- profiles ----

export async function getProfile(ctx: AppContext, userId: string, viewerId: string | null): Promise<Profile> {
  const r = await repo.findProfile(ctx.db, userId, viewerId);
  if (!r) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return {
    user: {
      user_id: r.id,
      nickname: r.nickname,
      avatar_url: await avatarOf(ctx, r),
      bio: r.bio,
      is_creator: r.is_creator,
    },
    stats: {
      likes_received_count: Number(r.likes_received),
      followers_count: Number(r.followers_count),
      following_count: Number(r.following_count),
      works_count: Number(r.works_count),
      total_tipped_credits: Number(r.total_tipped_credits),
    },
    is_following: r.is_following,
    is_self: viewerId === r.id,
  };
}

/** A creator's published works, newest first. */
export async function userWorks(
  ctx: AppContext,
  creatorId: string,
  viewerId: string | null,
  q: PageQuery,
): Promise<Page<Work>> {
  await requireUser(ctx, creatorId);
  const rows = await repo.userWorksPage(ctx.db, {
    creatorId,
    viewerId,
    after: decodeCursor(q.cursor),
    limit: q.limit,
  });
  const p = pageOf(rows, q.limit, (r) => ({ createdAt: new Date(r.created_at), id: r.id }));
  return {
    items: await presentWorks(ctx, p.kept, viewerId),
    next_cursor: p.next_cursor,
    has_more: p.has_more,
  };
}

/** What the 我的 page shows of the social graph. */
export async function socialCounts(ctx: AppContext, userId: string) {
  const [profile, favorites] = await Promise.all([
    repo.findProfile(ctx.db, userId, null),
    repo.countFavorites(ctx.db, userId),
  ]);
  return {
    followers_count: Number(profile?.followers_count ?? 0),
    following_count: Number(profile?.following_count ?? 0),
    likes_received_count: Number(profile?.likes_received ?? 0),
    works_count: Number(profile?.works_count ?? 0),
    favorites,
  };
}

/** The `community.recount` repair: counters recomputed from the rows (likes, favorites, follows, works). */
export async function recountCommunity(
  ctx: Pick<AppContext, "db">,
): Promise<{ works: number; users: number }> {
  const works = await repo.recountWorkStats(ctx.db);
  const users = await repo.recountUserStats(ctx.db);
  return { works, users };
}
