import { sql } from "drizzle-orm";
import type { Db, Executor } from "../../db/client.js";
import { vendorHealth } from "../../db/schema/index.js";
import { notifyCatalogChanged } from "../catalog/repository.js";

/** Records a vendor as down (or up) for every process, expiring after `ttlMs` unless renewed. */
export async function writeVendorHealth(
  db: Db,
  vendor: string,
  down: boolean,
  reason: string | null,
  ttlMs: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    // The database's clock: every process compares the expiry with the same time.
    const expiresAt = sql`now() + ${ttlMs}::int * interval '1 millisecond'`;
    await tx
      .insert(vendorHealth)
      .values({ vendor, down, reason, expiresAt, updatedAt: sql`now()` })
      .onConflictDoUpdate({
        target: vendorHealth.vendor,
        set: { down, reason, expiresAt, updatedAt: sql`now()` },
      });
    notifyCatalogChanged(tx);
  });
}

/** The vendors some worker found down, whose record has not expired (read by the model catalog). */
export async function readVendorsDown(ex: Executor): Promise<Set<string>> {
  const rows = await ex
    .select({ vendor: vendorHealth.vendor })
    .from(vendorHealth)
    .where(sql`${vendorHealth.down} and ${vendorHealth.expiresAt} > now()`);
  return new Set(rows.map((r) => r.vendor));
}
