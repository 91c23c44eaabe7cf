import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** The task center's catalogue (SPEC §5), seeded by migration; one row per task key. */
export const taskDefinitions = pgTable(
  "task_definitions",
  {
    key: text("key").primaryKey(),
    category: text("category", { enum: ["active", "create", "interact"] }).notNull(),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    descriptionZh: text("description_zh").notNull(),
    descriptionEn: text("description_en").notNull(),
    rewardCredits: integer("reward_credits").notNull(),
    /** How many times the action must happen that day. */
    target: integer("target").notNull().default(1),
    repeatable: boolean("repeatable").notNull().default(true),
    active: boolean("active").notNull().default(true),
    sort: integer("sort").notNull().default(0),
  },
  (t) => [
    check("task_definitions_category_check", sql`${t.category} in ('active', 'create', 'interact')`),
    check("task_definitions_reward_check", sql`${t.rewardCredits} > 0 and ${t.target} > 0`),
  ],
);

/** A user's task for one Shanghai day; the three rows of a day are chosen deterministically. */
export const taskAssignments = pgTable(
  "task_assignments",
  {
    userId: text("user_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    taskKey: text("task_key").notNull(),
    category: text("category").notNull(),
    progress: integer("progress").notNull().default(0),
    target: integer("target").notNull(),
    rewardCredits: integer("reward_credits").notNull(),
    completedAt: ts("completed_at"),
    claimedAt: ts("claimed_at"),
    /** `job`: the 00:00 assignment; `touch`: the user's first request of the day. */
    assignedBy: text("assigned_by").notNull(),
    assignedAt: ts("assigned_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.day, t.taskKey] }),
    /** Who opened the app on a day (taskcenter.assign_daily's "recently active"). */
    index("task_assignments_active_idx")
      .on(t.day, t.userId)
      .where(sql`${t.taskKey} = 'login_daily' and ${t.completedAt} is not null`),
    check("task_assignments_progress_check", sql`${t.progress} between 0 and ${t.target}`),
  ],
);

/** A withdrawal (SPEC §5): the coins left available at once; the account is sealed (AES-256-GCM). */
export const withdrawals = pgTable(
  "withdrawals",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    amountFen: bigint("amount_fen", { mode: "bigint" }).notNull(),
    method: text("method", { enum: ["bank_card", "alipay", "wechat"] }).notNull(),
    /** `{name, account, bank_name?, openid?}` sealed with WITHDRAWAL_ACCOUNT_KEY; never logged or returned. */
    accountSealed: text("account_sealed").notNull(),
    accountMasked: text("account_masked").notNull(),
    nameMasked: text("name_masked").notNull(),
    bankName: text("bank_name"),
    status: text("status", { enum: ["applied", "approved", "paid", "rejected", "failed"] })
      .notNull()
      .default("applied"),
    reason: text("reason"),
    /** The Shanghai day it was requested (the 3-a-day limit). */
    day: date("day", { mode: "string" }).notNull(),
    reviewerId: text("reviewer_id"),
    processedAt: ts("processed_at"),
    finishedAt: ts("finished_at"),
    payoutChannel: text("payout_channel"),
    payoutStatus: text("payout_status", {
      enum: ["none", "pending", "processing", "manual", "success", "failed"],
    })
      .notNull()
      .default("none"),
    /** The gateway's transfer id (Alipay order_id / WeChat transfer_bill_no). */
    payoutRef: text("payout_ref"),
    payoutError: text("payout_error"),
    payoutAttempts: integer("payout_attempts").notNull().default(0),
    payoutNextQueryAt: ts("payout_next_query_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("withdrawals_amount_check", sql`${t.amountFen} > 0`),
    check(
      "withdrawals_status_check",
      sql`${t.status} in ('applied', 'approved', 'paid', 'rejected', 'failed')`,
    ),
    index("withdrawals_user_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("withdrawals_user_day_idx").on(t.userId, t.day),
    index("withdrawals_status_idx").on(t.status, t.createdAt.desc(), t.id.desc()),
    index("withdrawals_payout_open_idx")
      .on(t.payoutNextQueryAt)
      .where(sql`${t.payoutStatus} in ('pending', 'processing')`),
  ],
);

/** Back-office roles (SPEC §7): admin, finance, moderator. */
export const userRoles = pgTable(
  "user_roles",
  {
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["admin", "finance", "moderator"] }).notNull(),
    grantedBy: text("granted_by"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.role] }),
    check("user_roles_role_check", sql`${t.role} in ('admin', 'finance', 'moderator')`),
  ],
);

/** 消息 (SPEC §9): written in the transaction of the event it tells of; rendered when read. */
export const notifications = pgTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    actorUserId: text("actor_user_id"),
    refType: text("ref_type"),
    refId: text("ref_id"),
    data: jsonb("data").notNull().default({}),
    /** One notification per event where an event can be seen twice (a retried job, a second follow). */
    dedupeKey: text("dedupe_key"),
    readAt: ts("read_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.id.desc()),
    index("notifications_unread_idx").on(t.userId).where(sql`${t.readAt} is null`),
    uniqueIndex("notifications_dedupe_uq").on(t.dedupeKey),
  ],
);

/** Where a sweeping job may start next time (coins.release: below it every lot has ended). */
export const jobWatermarks = pgTable("job_watermarks", {
  name: text("name").primaryKey(),
  at: ts("at").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});
