import { and, eq } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { mediaAssets } from "../../db/schema/index.js";

export type ImageRow = typeof mediaAssets.$inferSelect;

export async function insertImage(ex: Executor, row: typeof mediaAssets.$inferInsert): Promise<void> {
  await ex.insert(mediaAssets).values(row);
}

export async function findOwnImage(ex: Executor, id: string, userId: string): Promise<ImageRow | null> {
  const rows = await ex
    .select()
    .from(mediaAssets)
    .where(and(eq(mediaAssets.id, id), eq(mediaAssets.ownerUserId, userId)));
  return rows[0] ?? null;
}

export async function findImage(ex: Executor, id: string): Promise<ImageRow | null> {
  const rows = await ex.select().from(mediaAssets).where(eq(mediaAssets.id, id));
  return rows[0] ?? null;
}
