import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { videoAssets, videoDownloads } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";

export type VideoRow = typeof videoAssets.$inferSelect;
export type NewVideo = typeof videoAssets.$inferInsert;

/** One asset per task: a second insert for the same task is ignored. */
export async function insertVideo(
  ex: Executor,
  row: typeof videoAssets.$inferInsert,
): Promise<VideoRow | null> {
  const rows = await ex
    .insert(videoAssets)
    .values(row)
    .onConflictDoNothing({ target: videoAssets.taskId })
    .returning();
  return rows[0] ?? null;
}

export async function findVideo(ex: Executor, id: string): Promise<VideoRow | null> {
  const rows = await ex
    .select()
    .from(videoAssets)
    .where(and(eq(videoAssets.id, id), isNull(videoAssets.deletedAt)));
  return rows[0] ?? null;
}

export async function listVideos(
  ex: Executor,
  userId: string,
  project: string | null | undefined,
  after: Keyset | null,
  limit: number,
): Promise<VideoRow[]> {
  const keyset = after
    ? or(
        lt(videoAssets.createdAt, after.createdAt),
        and(eq(videoAssets.createdAt, after.createdAt), lt(videoAssets.id, after.id)),
      )
    : undefined;
  const projectFilter =
    project === undefined
      ? undefined
      : project === null
        ? isNull(videoAssets.projectId)
        : eq(videoAssets.projectId, project);
  return ex
    .select()
    .from(videoAssets)
    .where(and(eq(videoAssets.ownerUserId, userId), isNull(videoAssets.deletedAt), projectFilter, keyset))
    .orderBy(desc(videoAssets.createdAt), desc(videoAssets.id))
    .limit(limit + 1);
}

export async function moveVideo(ex: Executor, id: string, userId: string, projectId: string | null) {
  const rows = await ex
    .update(videoAssets)
    .set({ projectId })
    .where(and(eq(videoAssets.id, id), eq(videoAssets.ownerUserId, userId), isNull(videoAssets.deletedAt)))
    .returning();
  return rows[0] ?? null;
}

export async function softDeleteVideo(ex: Executor, id: string, userId: string, at: Date): Promise<boolean> {
  const rows = await ex
    .update(videoAssets)
    .set({ deletedAt: at })
    .where(and(eq(videoAssets.id, id), eq(videoAssets.ownerUserId, userId), isNull(videoAssets.deletedAt)))
    .returning({ id: videoAssets.id });
  return rows.length === 1;
}

export async function recordDownload(ex: Executor, row: typeof videoDownloads.$inferInsert): Promise<void> {
  await ex.insert(videoDownloads).values(row);
}

export async function downloadedVideoIds(
  ex: Executor,
  userId: string,
  videoIds: string[],
): Promise<Set<string>> {
  if (videoIds.length === 0) return new Set();
  const rows = await ex
    .selectDistinct({ videoId: videoDownloads.videoId })
    .from(videoDownloads)
    .where(and(eq(videoDownloads.userId, userId), sql`${videoDownloads.videoId} in ${videoIds}`));
  return new Set(rows.map((r) => r.videoId));
}

export async function countVideos(ex: Executor, userId: string): Promise<number> {
  const rows = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(videoAssets)
    .where(and(eq(videoAssets.ownerUserId, userId), isNull(videoAssets.deletedAt)));
  return rows[0]?.n ?? 0;
}

/** The asset's publish state follows its work (publish / unpublish, in the work's transaction). */
export async function setPublishStatus(
  ex: Executor,
  id: string,
  status: VideoRow["publishStatus"],
): Promise<void> {
  await ex.update(videoAssets).set({ publishStatus: status }).where(eq(videoAssets.id, id));
}
