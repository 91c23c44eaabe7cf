import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { products } from "../../db/schema/index.js";

export type ProductRow = typeof products.$inferSelect;

export async function listActiveProducts(ex: Executor, type?: ProductRow["type"]): Promise<ProductRow[]> {
  return ex
    .select()
    .from(products)
    .where(and(eq(products.active, true), type ? eq(products.type, type) : undefined))
    .orderBy(asc(products.sortOrder));
}
