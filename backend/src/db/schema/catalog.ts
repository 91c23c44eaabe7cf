import { sql } from "drizzle-orm";
import { bigint, boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const products = pgTable("products", {
  id: text("id").primaryKey(),
  type: text("type", {
    enum: ["credits_pack", "subscription_monthly", "promoter_activation", "coins_pack"],
  }).notNull(),
  name: text("name").notNull(),
  nameEn: text("name_en").notNull(),
  priceFen: integer("price_fen").notNull(),
  creditsAmount: integer("credits_amount").notNull().default(0),
  coinsMilli: bigint("coins_milli", { mode: "bigint" }).notNull().default(sql`0`),
  durationDays: integer("duration_days").notNull().default(0),
  description: text("description").notNull().default(""),
  sortOrder: integer("sort_order").notNull().default(0),
  active: boolean("active").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
