import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { projects, videoAssets } from "../../db/schema/index.js";

export type ProjectRow = typeof projects.$inferSelect;

export async function findOwnProject(ex: Executor, id: string, userId: string): Promise<ProjectRow | null> {
  const rows = await ex
    .select()
    .from(projects)
    .where(and(eq(projects.id, id), eq(projects.ownerUserId, userId)));
  return rows[0] ?? null;
}

export async function listProjectsWithCounts(ex: Executor, userId: string) {
  return ex
    .select({
      id: projects.id,
      name: projects.name,
      createdAt: projects.createdAt,
      // Spelled out: inside a one-table select drizzle would render the outer column without its table.
      videoCount: sql<number>`(select count(*)::int from video_assets v where v.project_id = projects.id and v.deleted_at is null)`,
    })
    .from(projects)
    .where(eq(projects.ownerUserId, userId))
    .orderBy(asc(projects.createdAt))
    .limit(200);
}

export async function countVideos(ex: Executor, projectId: string): Promise<number> {
  const rows = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(videoAssets)
    .where(and(eq(videoAssets.projectId, projectId), isNull(videoAssets.deletedAt)));
  return rows[0]?.n ?? 0;
}

export async function insertProject(ex: Executor, row: typeof projects.$inferInsert): Promise<ProjectRow> {
  const rows = await ex.insert(projects).values(row).returning();
  return rows[0] as ProjectRow;
}

export async function renameProject(ex: Executor, id: string, userId: string, name: string, at: Date) {
  const rows = await ex
    .update(projects)
    .set({ name, updatedAt: at })
    .where(and(eq(projects.id, id), eq(projects.ownerUserId, userId)))
    .returning();
  return rows[0] ?? null;
}

/** Deletes the project; its videos move to 未分类 (project_id null) in the same transaction. */
export async function deleteProject(ex: Executor, id: string, userId: string): Promise<boolean> {
  await ex
    .update(videoAssets)
    .set({ projectId: null })
    .where(and(eq(videoAssets.projectId, id), eq(videoAssets.ownerUserId, userId)));
  const rows = await ex
    .delete(projects)
    .where(and(eq(projects.id, id), eq(projects.ownerUserId, userId)))
    .returning({ id: projects.id });
  return rows.length === 1;
}

export async function countProjects(ex: Executor, userId: string): Promise<number> {
  const rows = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(projects)
    .where(eq(projects.ownerUserId, userId));
  return rows[0]?.n ?? 0;
}
