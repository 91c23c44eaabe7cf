import type { Project } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import * as repo from "./repository.js";

export async function listProjects(ctx: AppContext, userId: string): Promise<{ items: Project[] }> {
  const rows = await repo.listProjectsWithCounts(ctx.db, userId);
  return {
    items: rows.map((r) => ({
      project_id: r.id,
      name: r.name,
      video_count: r.videoCount,
      created_at: r.createdAt.toISOString(),
    })),
  };
}

export async function createProject(ctx: AppContext, userId: string, name: string): Promise<Project> {
  const now = ctx.clock.now();
  const row = await repo.insertProject(ctx.db, {
    id: newId(),
    ownerUserId: userId,
    name,
    createdAt: now,
    updatedAt: now,
  });
  return { project_id: row.id, name: row.name, video_count: 0, created_at: row.createdAt.toISOString() };
}

export async function renameProject(
  ctx: AppContext,
  userId: string,
  projectId: string,
  name: string,
): Promise<Project> {
  const row = await repo.renameProject(ctx.db, projectId, userId, name, ctx.clock.now());
  if (!row) throw notFound("project");
  return {
    project_id: row.id,
    name: row.name,
    video_count: await repo.countVideos(ctx.db, row.id),
    created_at: row.createdAt.toISOString(),
  };
}

export async function deleteProject(ctx: AppContext, userId: string, projectId: string) {
  const deleted = await ctx.db.transaction((tx) => repo.deleteProject(tx, projectId, userId));
  if (!deleted) throw notFound("project");
  return { deleted: true };
}

/** 404 unless the project exists and belongs to the user. */
export async function assertOwnProject(ctx: AppContext, projectId: string, userId: string): Promise<void> {
  if (!(await repo.findOwnProject(ctx.db, projectId, userId))) throw notFound("project");
}

export async function countProjects(ctx: AppContext, userId: string): Promise<number> {
  return repo.countProjects(ctx.db, userId);
}
