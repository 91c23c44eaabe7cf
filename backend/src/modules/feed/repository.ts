import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { lockKey } from "../../db/locks.js";
import type { Keyset } from "../../lib/cursor.js";
import { selectWorkViews, type WorkView } from "../works/repository.js";

export type SnapshotTab = "discover" | "hot";

/** Versions kept per tab (ARCHITECTURE §6b: "a few"); a scroll pinned to an older one restarts. */
export const SNAPSHOT_VERSIONS_KEPT = 3;
/** The deepest a ranked feed goes; nobody scrolls further and the refresh stays bounded. */
export const SNAPSHOT_MAX_ITEMS = 100_000;
const HOT_WINDOW_MS = 24 * 3600_000;

/** SPEC §4: discover = likes×1 + favorites×2 + tips×5 + shares×3, then newest; hot = likes, then newest. */
const ORDER = {
  discover: sql`(s.like_count + 2 * s.favorite_count + 5 * s.tip_count + 3 * s.share_count) desc, w.created_at desc, w.id desc`,
  hot: sql`s.like_count desc, w.created_at desc, w.id desc`,
} as const;

/**
 * Writes version n+1 of `tab` from the stats rows (never count(*)), then prunes all but the newest
 * {@link SNAPSHOT_VERSIONS_KEPT}. Refreshes of one tab are serialized by an advisory lock.
 */
export async function writeSnapshot(
  tx: Tx,
  tab: SnapshotTab,
  now: Date,
): Promise<{ version: number; size: number }> {
  await lockKey(tx, `feed_snapshot:${tab}`);
  const [next] = await queryRows<{ v: number }>(
    tx,
    sql`select coalesce(max(version), 0) + 1 as v from feed_snapshot_versions where tab = ${tab}`,
  );
  const version = Number(next?.v ?? 1);
  const window =
    tab === "hot"
      ? sql`and w.created_at > ${new Date(now.getTime() - HOT_WINDOW_MS).toISOString()}::timestamptz`
      : sql``;
  const inserted = await queryRows<{ n: number }>(
    tx,
    sql`with ranked as (
          insert into feed_snapshots (tab, version, position, work_id)
          select ${tab}::text, ${version}::int, (row_number() over (order by ${ORDER[tab]}))::int, w.id
          from works w join work_stats s on s.work_id = w.id
          where w.status = 'published' ${window}
          order by ${ORDER[tab]}
          limit ${SNAPSHOT_MAX_ITEMS}
          returning 1)
        select count(*)::int as n from ranked`,
  );
  const size = Number(inserted[0]?.n ?? 0);
  await tx.execute(
    sql`insert into feed_snapshot_versions (tab, version, size, created_at) values (${tab}, ${version}, ${size}, ${now.toISOString()}::timestamptz)`,
  );
  const oldest = version - SNAPSHOT_VERSIONS_KEPT;
  await tx.execute(sql`delete from feed_snapshots where tab = ${tab} and version <= ${oldest}`);
  await tx.execute(sql`delete from feed_snapshot_versions where tab = ${tab} and version <= ${oldest}`);
  return { version, size };
}

/** The newest version of `tab`, or the given one if it is still kept; null when none. */
export async function snapshotVersion(
  ex: Executor,
  tab: SnapshotTab,
  version?: number,
): Promise<number | null> {
  const rows = await queryRows<{ version: number }>(
    ex,
    version === undefined
      ? sql`select version from feed_snapshot_versions where tab = ${tab} order by version desc limit 1`
      : sql`select version from feed_snapshot_versions where tab = ${tab} and version = ${version}`,
  );
  return rows[0] ? Number(rows[0].version) : null;
}

/**
 * One page of a pinned snapshot: an index range scan on (tab, version, position) joined to the works,
 * skipping works that are no longer published. `limit + 1` rows say whether there is more.
 */
export async function snapshotPage(
  ex: Executor,
  q: { tab: SnapshotTab; version: number; after: number; limit: number; viewerId: string | null },
): Promise<(WorkView & { position: number })[]> {
  return selectWorkViews<{ position: number }>(ex, {
    viewerId: q.viewerId,
    from: sql`feed_snapshots fs join works w on w.id = fs.work_id`,
    where: sql`fs.tab = ${q.tab} and fs.version = ${q.version} and fs.position > ${q.after} and w.status = 'published'`,
    orderBy: sql`fs.position`,
    limit: q.limit + 1,
    extra: sql`fs.position`,
  });
}

/** Works of the creators `viewerId` follows, newest first, keyset on (created_at, id). */
export async function followingPage(
  ex: Executor,
  q: { viewerId: string; after: Keyset | null; limit: number },
): Promise<WorkView[]> {
  const keyset = q.after
    ? sql`and (w.created_at, w.id) < (${q.after.createdAt.toISOString()}::timestamptz, ${q.after.id})`
    : sql``;
  return selectWorkViews(ex, {
    viewerId: q.viewerId,
    from: sql`works w join follows fl on fl.followee_id = w.creator_user_id and fl.follower_id = ${q.viewerId}`,
    where: sql`w.status = 'published' ${keyset}`,
    orderBy: sql`w.created_at desc, w.id desc`,
    limit: q.limit + 1,
  });
}

export interface RankingRow {
  user_id: string;
  nickname: string;
  avatar_url: string | null;
  avatar_storage_key: string | null;
  total_tipped_credits: string;
  followers_count: number;
}

/** Creators by credits tipped to them, then followers (the 排行 tab). */
export async function tipRanking(ex: Executor, limit: number): Promise<RankingRow[]> {
  return queryRows<RankingRow>(
    ex,
    sql`select us.user_id, u.nickname, u.avatar_url, u.avatar_storage_key,
          us.total_tipped_credits::text as total_tipped_credits, us.followers_count
        from user_stats us join users u on u.id = us.user_id
        where u.status = 'active' and (us.total_tipped_credits > 0 or us.works_count > 0)
        order by us.total_tipped_credits desc, us.followers_count desc, us.user_id
        limit ${limit}`,
  );
}
