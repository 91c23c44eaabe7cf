import { type CreatorRanking, ErrorCode, type FeedTab, type Page, type Work } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { decodeCursor, encodeCursor } from "../../lib/cursor.js";
import { AppError } from "../../lib/errors.js";
import { avatarUrlOf } from "../users/present.js";
import type { UserRow } from "../users/service.js";
import { presentWorks } from "../works/service.js";
import * as repo from "./repository.js";

export type { SnapshotTab } from "./repository.js";

/**
 * Writes a new snapshot of both ranked tabs (the `feed.refresh` job, every minute and shortly after a
 * publish). Callable directly (tests, a fresh install's first read).
 */
export async function refreshFeedSnapshots(
  ctx: Pick<AppContext, "db" | "clock">,
): Promise<Record<repo.SnapshotTab, { version: number; size: number }>> {
  const now = ctx.clock.now();
  const discover = await ctx.db.transaction((tx) => repo.writeSnapshot(tx, "discover", now));
  const hot = await ctx.db.transaction((tx) => repo.writeSnapshot(tx, "hot", now));
  return { discover, hot };
}

/**
 * Ranked-tab cursor: base64url of `r1.<tab>.<version>.<position>` — the pinned snapshot version and the
 * last position served. Opaque to clients.
 */
export function encodeSnapshotCursor(tab: repo.SnapshotTab, version: number, position: number): string {
  return Buffer.from(`r1.${tab}.${version}.${position}`).toString("base64url");
}

function decodeSnapshotCursor(tab: repo.SnapshotTab, cursor: string): { version: number; position: number } {
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  const version = Number(parts[2]);
  const position = Number(parts[3]);
  if (
    parts.length !== 4 ||
    parts[0] !== "r1" ||
    parts[1] !== tab ||
    !Number.isSafeInteger(version) ||
    !Number.isSafeInteger(position) ||
    version < 1 ||
    position < 0
  ) {
    throw new AppError(ErrorCode.VALIDATION, { fields: { cursor: "invalid cursor" } });
  }
  return { version, position };
}

/**
 * A ranked page (ARCHITECTURE §6b). The first page pins the newest snapshot version; the cursor carries
 * (version, position), so one scroll sees one order, every work at most once, while likes keep changing
 * the scores. Works taken down since the snapshot are skipped at read time (the page is still full when
 * more follow). If the pinned version was pruned (a scroll older than {@link repo.SNAPSHOT_VERSIONS_KEPT}
 * refreshes), the scroll restarts at the top of the newest version. With no snapshot at all (a fresh
 * install) the first read builds one. Queries per page: version lookup + one page query.
 */
async function rankedPage(
  ctx: AppContext,
  tab: repo.SnapshotTab,
  viewerId: string | null,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Work>> {
  const pinned = cursor ? decodeSnapshotCursor(tab, cursor) : null;
  let version = pinned ? await repo.snapshotVersion(ctx.db, tab, pinned.version) : null;
  let after = pinned && version !== null ? pinned.position : 0;
  if (version === null) {
    version = await repo.snapshotVersion(ctx.db, tab);
    after = 0;
  }
  if (version === null) {
    version = (await refreshFeedSnapshots(ctx))[tab].version;
  }
  const rows = await repo.snapshotPage(ctx.db, { tab, version, after, limit, viewerId });
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return {
    items: await presentWorks(ctx, kept, viewerId),
    next_cursor: hasMore && last ? encodeSnapshotCursor(tab, version, Number(last.position)) : null,
    has_more: hasMore,
  };
}

async function followingFeed(
  ctx: AppContext,
  viewerId: string | null,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Work>> {
  if (!viewerId) throw new AppError(ErrorCode.NOT_LOGGED_IN);
  const rows = await repo.followingPage(ctx.db, { viewerId, after: decodeCursor(cursor), limit });
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return {
    items: await presentWorks(ctx, kept, viewerId),
    next_cursor: hasMore && last ? encodeCursor({ createdAt: new Date(last.created_at), id: last.id }) : null,
    has_more: hasMore,
  };
}

export async function getFeed(
  ctx: AppContext,
  viewerId: string | null,
  query: { tab: FeedTab; cursor?: string; limit: number },
): Promise<Page<Work>> {
  if (query.tab === "following") return followingFeed(ctx, viewerId, query.cursor, query.limit);
  return rankedPage(ctx, query.tab, viewerId, query.cursor, query.limit);
}

export async function creatorTipRanking(
  ctx: AppContext,
  limit: number,
): Promise<{ items: CreatorRanking[] }> {
  const rows = await repo.tipRanking(ctx.db, limit);
  const items = await Promise.all(
    rows.map(async (r, i) => ({
      rank: i + 1,
      user_id: r.user_id,
      nickname: r.nickname,
      avatar_url: await avatarUrlOf(ctx, {
        avatarUrl: r.avatar_url,
        avatarStorageKey: r.avatar_storage_key,
      } as UserRow),
      total_tipped_credits: Number(r.total_tipped_credits),
      followers_count: Number(r.followers_count),
    })),
  );
  return { items };
}
