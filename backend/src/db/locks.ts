import { sql } from "drizzle-orm";
import type { Tx } from "./client.js";

/** Serializes transactions that name the same key until the holder commits or rolls back. */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}
