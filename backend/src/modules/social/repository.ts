import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import type { Keyset } from "../../lib/cursor.js";
import { selectWorkViews, type WorkView } from "../works/repository.js";

const iso = (d: Date) => d.toISOString();

// Every sub-statement of a WITH runs whether or not the final select reads it (PostgreSQL docs §7.8.4):
// the counters change in the same statement as the row, and only when the row changed.

// ---- likes: the row, like_count and the creator's likes_received change together, only on a change ----

/** true when the like is new (like_count and likes_received + 1 in the same statement). */
export async function insertLike(
  tx: Tx,
  userId: string,
  workId: string,
  creatorId: string,
  at: Date,
): Promise<boolean> {
  const rows = await queryRows<{ changed: number }>(
    tx,
    sql`with ins as (
          insert into likes (user_id, work_id, created_at) values (${userId}, ${workId}, ${iso(at)}::timestamptz)
          on conflict do nothing returning work_id),
        st as (
          update work_stats set like_count = like_count + 1
          where work_id in (select work_id from ins) returning work_id),
        us as (
          insert into user_stats (user_id, likes_received) select ${creatorId}::text, 1 from ins
          on conflict (user_id) do update set likes_received = user_stats.likes_received + 1
          returning user_id)
        select (select count(*) from ins)::int as changed`,
  );
  return Number(rows[0]?.changed ?? 0) > 0;
}

export async function deleteLike(
  tx: Tx,
  userId: string,
  workId: string,
  creatorId: string,
): Promise<boolean> {
  const rows = await queryRows<{ changed: number }>(
    tx,
    sql`with del as (
          delete from likes where user_id = ${userId} and work_id = ${workId} returning work_id),
        st as (
          update work_stats set like_count = like_count - 1
          where work_id in (select work_id from del) and like_count > 0 returning work_id),
        us as (
          update user_stats set likes_received = likes_received - 1
          where user_id = ${creatorId} and likes_received > 0 and exists (select 1 from del)
          returning user_id)
        select (select count(*) from del)::int as changed`,
  );
  return Number(rows[0]?.changed ?? 0) > 0;
}

export async function workCounters(
  ex: Executor,
  workId: string,
): Promise<{ like_count: number; favorite_count: number }> {
  const rows = await queryRows<{ like_count: number; favorite_count: number }>(
    ex,
    sql`select like_count, favorite_count from work_stats where work_id = ${workId}`,
  );
  return {
    like_count: Number(rows[0]?.like_count ?? 0),
    favorite_count: Number(rows[0]?.favorite_count ?? 0),
  };
}

// ---- favorites ----

/** true when the favorite is new (favorite_count + 1 in the same statement). */
export async function insertFavorite(tx: Tx, userId: string, workId: string, at: Date): Promise<boolean> {
  const rows = await queryRows<{ changed: number }>(
    tx,
    sql`with ins as (
          insert into favorites (user_id, work_id, created_at) values (${userId}, ${workId}, ${iso(at)}::timestamptz)
          on conflict do nothing returning work_id),
        st as (
          update work_stats set favorite_count = favorite_count + 1
          where work_id in (select work_id from ins) returning work_id)
        select (select count(*) from ins)::int as changed`,
  );
  return Number(rows[0]?.changed ?? 0) > 0;
}

export async function deleteFavorite(tx: Tx, userId: string, workId: string): Promise<boolean> {
  const rows = await queryRows<{ changed: number }>(
    tx,
    sql`with del as (
          delete from favorites where user_id = ${userId} and work_id = ${workId} returning work_id),
        st as (
          update work_stats set favorite_count = favorite_count - 1
          where work_id in (select work_id from del) and favorite_count > 0 returning work_id)
        select (select count(*) from del)::int as changed`,
  );
  return Number(rows[0]?.changed ?? 0) > 0;
}

/** The user's favorites still published, newest favorite first; keyset on (favorited_at, work_id). */
export async function favoritesPage(
  ex: Executor,
  q: { userId: string; after: Keyset | null; limit: number },
): Promise<(WorkView & { fav_at: Date })[]> {
  const keyset = q.after
    ? sql`and (fv.created_at, fv.work_id) < (${iso(q.after.createdAt)}::timestamptz, ${q.after.id})`
    : sql``;
  return selectWorkViews<{ fav_at: Date }>(ex, {
    viewerId: q.userId,
    from: sql`favorites fv join works w on w.id = fv.work_id`,
    where: sql`fv.user_id = ${q.userId} and w.status = 'published' ${keyset}`,
    orderBy: sql`fv.created_at desc, fv.work_id desc`,
    limit: q.limit + 1,
    extra: sql`fv.created_at as fav_at`,
  });
}

export async function countFavorites(ex: Executor, userId: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from favorites fv join works w on w.id = fv.work_id
        where fv.user_id = ${userId} and w.status = 'published'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** A creator's published works, newest first. */
export async function userWorksPage(
  ex: Executor,
  q: { creatorId: string; viewerId: string | null; after: Keyset | null; limit: number },
): Promise<WorkView[]> {
  const keyset = q.after
    ? sql`and (w.created_at, w.id) < (${iso(q.after.createdAt)}::timestamptz, ${q.after.id})`
    : sql``;
  return selectWorkViews(ex, {
    viewerId: q.viewerId,
    from: sql`works w`,
    where: sql`w.creator_user_id = ${q.creatorId} and w.status = 'published' ${keyset}`,
    orderBy: sql`w.created_at desc, w.id desc`,
    limit: q.limit + 1,
  });
}

// ---- follows ----

export async function userExists(ex: Executor, userId: string): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`select id from users where id = ${userId} and status <> 'deleted'`,
  );
  return rows.length === 1;
}

export async function insertFollow(
  tx: Tx,
  followerId: string,
  followeeId: string,
  at: Date,
): Promise<boolean> {
  const rows = await queryRows<{ followee_id: string }>(
    tx,
    sql`insert into follows (follower_id, followee_id, created_at)
        values (${followerId}, ${followeeId}, ${iso(at)}::timestamptz)
        on conflict do nothing returning followee_id`,
  );
  return rows.length === 1;
}

export async function deleteFollow(tx: Tx, followerId: string, followeeId: string): Promise<boolean> {
  const rows = await queryRows<{ followee_id: string }>(
    tx,
    sql`delete from follows where follower_id = ${followerId} and followee_id = ${followeeId}
        returning followee_id`,
  );
  return rows.length === 1;
}

/**
 * followers_count / following_count ± 1 for one user (the row is created when missing). Callers touch
 * the two users of a follow in user-id order, so concurrent follows never deadlock.
 */
export async function addFollowCounts(
  tx: Tx,
  userId: string,
  followers: -1 | 0 | 1,
  following: -1 | 0 | 1,
): Promise<void> {
  if (followers >= 0 && following >= 0) {
    await tx.execute(
      sql`insert into user_stats (user_id, followers_count, following_count)
          values (${userId}, ${followers}, ${following})
          on conflict (user_id) do update set
            followers_count = user_stats.followers_count + excluded.followers_count,
            following_count = user_stats.following_count + excluded.following_count`,
    );
    return;
  }
  await tx.execute(
    sql`update user_stats set
          followers_count = greatest(followers_count + ${followers}::int, 0),
          following_count = greatest(following_count + ${following}::int, 0)
        where user_id = ${userId}`,
  );
}

export async function followersCount(ex: Executor, userId: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    ex,
    sql`select followers_count as n from user_stats where user_id = ${userId}`,
  );
  return Number(rows[0]?.n ?? 0);
}

export interface UserListRow {
  id: string;
  nickname: string;
  avatar_url: string | null;
  avatar_storage_key: string | null;
  bio: string;
  followed_at: Date;
  is_following: boolean;
}

/**
 * Followers (`side` = followers: who follows `userId`) or followings, newest follow first; keyset on
 * (followed_at, the other user's id). `is_following`: whether the viewer follows each listed user.
 */
export async function followListPage(
  ex: Executor,
  q: {
    userId: string;
    side: "followers" | "following";
    viewerId: string | null;
    after: Keyset | null;
    limit: number;
  },
): Promise<UserListRow[]> {
  const [own, other] =
    q.side === "followers"
      ? [sql`f.followee_id`, sql`f.follower_id`]
      : [sql`f.follower_id`, sql`f.followee_id`];
  const keyset = q.after
    ? sql`and (f.created_at, ${other}) < (${iso(q.after.createdAt)}::timestamptz, ${q.after.id})`
    : sql``;
  const isFollowing = q.viewerId
    ? sql`exists (select 1 from follows v where v.follower_id = ${q.viewerId} and v.followee_id = u.id)`
    : sql`false`;
  return queryRows<UserListRow>(
    ex,
    sql`select u.id, u.nickname, u.avatar_url, u.avatar_storage_key, u.bio, f.created_at as followed_at,
          ${isFollowing} as is_following
        from follows f join users u on u.id = ${other}
        where ${own} = ${q.userId} ${keyset}
        order by f.created_at desc, ${other} desc
        limit ${q.limit + 1}`,
  );
}

// ---- profile ----

export interface ProfileRow {
  id: string;
  nickname: string;
  avatar_url: string | null;
  avatar_storage_key: string | null;
  bio: string;
  is_creator: boolean;
  status: string;
  followers_count: number;
  following_count: number;
  likes_received: number;
  works_count: number;
  total_tipped_credits: string;
  is_following: boolean;
}

export async function findProfile(
  ex: Executor,
  userId: string,
  viewerId: string | null,
): Promise<ProfileRow | null> {
  const isFollowing = viewerId
    ? sql`exists (select 1 from follows v where v.follower_id = ${viewerId} and v.followee_id = u.id)`
    : sql`false`;
  const rows = await queryRows<ProfileRow>(
    ex,
    sql`select u.id, u.nickname, u.avatar_url, u.avatar_storage_key, u.bio, u.is_creator, u.status,
          coalesce(us.followers_count, 0) as followers_count, coalesce(us.following_count, 0) as following_count,
          coalesce(us.likes_received, 0) as likes_received, coalesce(us.works_count, 0) as works_count,
          coalesce(us.total_tipped_credits, 0)::text as total_tipped_credits,
          ${isFollowing} as is_following
        from users u left join user_stats us on us.user_id = u.id
        where u.id = ${userId}`,
  );
  return rows[0] ?? null;
}

// ---- repair ----

/** Recomputes work_stats likes / favorites from the rows; returns how many rows were wrong. */
export async function recountWorkStats(ex: Executor): Promise<number> {
  const rows = await queryRows<{ work_id: string }>(
    ex,
    sql`with c as (
          select s.work_id,
            (select count(*)::int from likes l where l.work_id = s.work_id) as likes,
            (select count(*)::int from favorites f where f.work_id = s.work_id) as favorites
          from work_stats s)
        update work_stats s set like_count = c.likes, favorite_count = c.favorites
        from c
        where c.work_id = s.work_id and (s.like_count <> c.likes or s.favorite_count <> c.favorites)
        returning s.work_id`,
  );
  return rows.length;
}

/** Recomputes user_stats followers / following / works / likes received from the rows. */
export async function recountUserStats(ex: Executor): Promise<number> {
  const rows = await queryRows<{ user_id: string }>(
    ex,
    sql`with c as (
          select u.id as user_id,
            (select count(*)::int from follows f where f.followee_id = u.id) as followers,
            (select count(*)::int from follows f where f.follower_id = u.id) as following,
            (select count(*)::int from works w where w.creator_user_id = u.id and w.status = 'published') as works,
            (select count(*)::int from likes l join works w on w.id = l.work_id where w.creator_user_id = u.id) as likes_received
          from users u),
        wrong as (
          select c.* from c left join user_stats us on us.user_id = c.user_id
          where (us.user_id is null and (c.followers + c.following + c.works + c.likes_received) > 0)
             or us.followers_count <> c.followers or us.following_count <> c.following
             or us.works_count <> c.works or us.likes_received <> c.likes_received)
        insert into user_stats (user_id, followers_count, following_count, works_count, likes_received)
        select user_id, followers, following, works, likes_received from wrong
        on conflict (user_id) do update set
          followers_count = excluded.followers_count, following_count = excluded.following_count,
          works_count = excluded.works_count, likes_received = excluded.likes_received
        returning user_id`,
  );
  return rows.length;
}
