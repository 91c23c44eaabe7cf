import { sql } from "drizzle-orm";
import { bigint, boolean, date, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Every admin action (SPEC §7), written in the same transaction as the action itself. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    reason: text("reason"),
    requestId: text("request_id"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("audit_log_target_idx").on(t.targetType, t.targetId, t.createdAt.desc()),
    index("audit_log_actor_idx").on(t.actorId, t.createdAt.desc()),
  ],
);

/**
 * An admin's changes to a model of the catalog (`config/models.ts` holds the defaults): a row overrides
 * only what it sets. Read through a short cache by every process, so a switch takes effect in seconds.
 */
export const modelSettings = pgTable("model_settings", {
  modelId: text("model_id").primaryKey(),
  switchedOn: boolean("switched_on"),
  creditsPerSecond: integer("credits_per_second"),
  durations: jsonb("durations").$type<number[]>(),
  ratios: jsonb("ratios").$type<string[]>(),
  timeoutMinutes: integer("timeout_minutes"),
  updatedBy: text("updated_by"),
  updatedAt: ts("updated_at").notNull().default(sql`now()`),
});

/** A whole vendor switched off (or on again) by an admin. */
export const vendorSettings = pgTable("vendor_settings", {
  vendor: text("vendor").primaryKey(),
  switchedOn: boolean("switched_on").notNull(),
  updatedBy: text("updated_by"),
  updatedAt: ts("updated_at").notNull().default(sql`now()`),
});

/** Each reconciliation run (the daily job, `ledger:check`, or an admin's 立即对账) and its report. */
export const reconciliationRuns = pgTable(
  "reconciliation_runs",
  {
    id: text("id").primaryKey(),
    ok: boolean("ok").notNull(),
    report: jsonb("report").notNull(),
    ranBy: text("ran_by"),
    ranAt: ts("ran_at").notNull().defaultNow(),
  },
  (t) => [index("reconciliation_runs_ran_idx").on(t.ranAt.desc())],
);

/**
 * The dashboard's per-day figures of a final Shanghai day (one that no row can change any more: days
 * before yesterday), aggregated once and read back instead of re-aggregating the day's rows on every
 * load (modules/admin/repository.ts `dashboardDays`; today and yesterday are always computed live).
 */
export const adminDailyStats = pgTable("admin_daily_stats", {
  day: date("day", { mode: "string" }).primaryKey(),
  newUsers: integer("new_users").notNull(),
  dau: integer("dau").notNull(),
  generations: integer("generations").notNull(),
  generationsSucceeded: integer("generations_succeeded").notNull(),
  generationsFailed: integer("generations_failed").notNull(),
  generationsRefunded: integer("generations_refunded").notNull(),
  generationCredits: bigint("generation_credits", { mode: "bigint" }).notNull(),
  /** Paid GMV by channel, in fen. */
  gmvWechat: bigint("gmv_wechat", { mode: "bigint" }).notNull(),
  gmvAlipay: bigint("gmv_alipay", { mode: "bigint" }).notNull(),
  gmvSandbox: bigint("gmv_sandbox", { mode: "bigint" }).notNull(),
  /** The platform's fee income and commission expense, in milli-coins. */
  feeMilli: bigint("fee_milli", { mode: "bigint" }).notNull(),
  commissionMilli: bigint("commission_milli", { mode: "bigint" }).notNull(),
  computedAt: ts("computed_at").notNull().defaultNow(),
});
