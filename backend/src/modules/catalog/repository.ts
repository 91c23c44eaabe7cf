import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { CatalogOverrides, ModelOverride } from "../../config/models.js";
import type { Executor, Tx } from "../../db/client.js";
import { modelSettings, products, vendorSettings } from "../../db/schema/index.js";
import { sendWithCommit, statement } from "../../db/statements.js";

export type ProductRow = typeof products.$inferSelect;

export async function listActiveProducts(ex: Executor, type?: ProductRow["type"]): Promise<ProductRow[]> {
  return ex
    .select()
    .from(products)
    .where(and(eq(products.active, true), type ? eq(products.type, type) : undefined))
    .orderBy(asc(products.sortOrder));
}

/** Per type, the price of the product sold for it (the active one first in sort order, as payments pick). */
export async function activePricesFen(
  ex: Executor,
  types: ProductRow["type"][],
): Promise<Map<ProductRow["type"], number>> {
  const rows = await ex
    .selectDistinctOn([products.type], { type: products.type, priceFen: products.priceFen })
    .from(products)
    .where(and(eq(products.active, true), inArray(products.type, types)))
    .orderBy(asc(products.type), asc(products.sortOrder));
  return new Map(rows.map((r) => [r.type, r.priceFen]));
}

// --- admin: products ---

export async function listAllProducts(ex: Executor): Promise<ProductRow[]> {
  return ex.select().from(products).orderBy(asc(products.sortOrder), asc(products.id));
}

/** The product row, locked until the transaction ends (null: no such product). */
export async function lockProduct(tx: Tx, id: string): Promise<ProductRow | null> {
  const [row] = await tx.select().from(products).where(eq(products.id, id)).for("update");
  return row ?? null;
}

export type ProductChange = Partial<
  Pick<ProductRow, "name" | "priceFen" | "creditsAmount" | "coinsMilli" | "active">
>;

export async function updateProduct(tx: Tx, id: string, change: ProductChange): Promise<ProductRow> {
  const [row] = await tx.update(products).set(change).where(eq(products.id, id)).returning();
  if (!row) throw new Error(`product ${id} vanished under its lock`);
  return row;
}

// --- the runtime model catalog ---

/** NOTIFY channel: the admins changed `model_settings` or `vendor_settings` (payload unused). */
export const CATALOG_CHANNEL = "model_catalog";

const NOTIFY_CATALOG = statement("catalog_notify", `select pg_notify('${CATALOG_CHANNEL}', '')`);

/**
 * Tells every process to re-read the catalog. Inside the change's transaction: PostgreSQL delivers it
 * at COMMIT, and never for a change that rolled back (admin changes are rare, so the commit-time lock a
 * NOTIFY takes costs nothing here).
 */
export function notifyCatalogChanged(tx: Tx): void {
  sendWithCommit(tx, NOTIFY_CATALOG, []);
}

/** Every admin change to the model catalog (two small tables, read whole). */
export async function readOverrides(ex: Executor): Promise<CatalogOverrides> {
  const [models, vendors] = await Promise.all([
    ex.select().from(modelSettings),
    ex.select().from(vendorSettings),
  ]);
  return {
    models: new Map(models.map((m) => [m.modelId, m satisfies ModelOverride])),
    vendors: new Map(vendors.map((v) => [v.vendor, v])),
  };
}

/** Serializes the admins' changes to one catalog target (a row that may not exist yet cannot be locked). */
export async function lockCatalogTarget(tx: Tx, target: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`catalog:${target}`}))`);
}

export type ModelSettingsChange = Partial<
  Pick<
    typeof modelSettings.$inferInsert,
    "switchedOn" | "creditsPerSecond" | "durations" | "ratios" | "timeoutMinutes"
  >
>;

/** Sets what `change` names on the model's settings row (creating it), leaving the rest as it was. */
export async function upsertModelSettings(
  tx: Tx,
  modelId: string,
  change: ModelSettingsChange,
  by: string | null,
  at: Date,
): Promise<void> {
  const set = { ...change, updatedBy: by, updatedAt: at };
  await tx
    .insert(modelSettings)
    .values({ modelId, ...set })
    .onConflictDoUpdate({ target: modelSettings.modelId, set });
}

export async function upsertVendorSettings(
  tx: Tx,
  vendor: string,
  switchedOn: boolean,
  by: string | null,
  at: Date,
): Promise<void> {
  const set = { switchedOn, updatedBy: by, updatedAt: at };
  await tx
    .insert(vendorSettings)
    .values({ vendor, ...set })
    .onConflictDoUpdate({ target: vendorSettings.vendor, set });
}
