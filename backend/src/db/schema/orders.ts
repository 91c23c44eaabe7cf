import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const ORDER_STATUSES = [
  "published",
  "awarded",
  "cancel_requested",
  "delivered",
  "disputed",
  "completed",
  "cancelled",
  "split",
] as const;

export const ORDER_OUTCOMES = [
  "accepted",
  "auto_accepted",
  "cancelled_by_publisher",
  "cancelled_by_consent",
  "cancelled_after_deadline",
  "expired",
  "dispute_paid",
  "dispute_refunded",
  "dispute_split",
] as const;

/**
 * A commission order (商单, SPEC §6). The budget sits in the ledger account `escrow:order:{id}` from
 * creation until the order ends; the row only records the state machine and who did what.
 */
export const orders = pgTable(
  "orders",
  {
    id: text("id").primaryKey(),
    publisherId: text("publisher_id").notNull(),
    title: text("title").notNull(),
    brief: text("brief").notNull(),
    category: text("category").notNull(),
    budgetMilli: bigint("budget_milli", { mode: "bigint" }).notNull(),
    deadlineAt: ts("deadline_at").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull().default("published"),
    outcome: text("outcome", { enum: ORDER_OUTCOMES }),
    awardedUserId: text("awarded_user_id"),
    awardedAt: ts("awarded_at"),
    deliveredWorkId: text("delivered_work_id"),
    deliveredAt: ts("delivered_at"),
    /** delivered_at + 7 days: the deadlines job accepts the order then. */
    autoAcceptAt: ts("auto_accept_at"),
    cancelRequestedAt: ts("cancel_requested_at"),
    cancelReason: text("cancel_reason"),
    /** Set once the publisher was told that an awarded order passed its deadline undelivered. */
    deadlineNotifiedAt: ts("deadline_notified_at"),
    disputeReason: text("dispute_reason"),
    disputedAt: ts("disputed_at"),
    settledBy: text("settled_by"),
    settleNote: text("settle_note"),
    /** The creator's gross share of the budget once the order ended (budget, 0 or a split share). */
    creatorShareMilli: bigint("creator_share_milli", { mode: "bigint" }),
    /** What the creator received net of the 5 % fee, and what went back to the publisher. */
    creatorPaidMilli: bigint("creator_paid_milli", { mode: "bigint" }),
    refundedMilli: bigint("refunded_milli", { mode: "bigint" }),
    applicationsCount: integer("applications_count").notNull().default(0),
    finishedAt: ts("finished_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check(
      "orders_status_check",
      sql`${t.status} in ('published', 'awarded', 'cancel_requested', 'delivered', 'disputed', 'completed', 'cancelled', 'split')`,
    ),
    check("orders_budget_check", sql`${t.budgetMilli} >= 10000`),
    check(
      "orders_awarded_check",
      sql`${t.status} in ('published', 'cancelled') or ${t.awardedUserId} is not null`,
    ),
    /** The hall: open orders, newest first. */
    index("orders_open_idx").on(t.createdAt.desc(), t.id.desc()).where(sql`${t.status} = 'published'`),
    index("orders_publisher_idx").on(t.publisherId, t.createdAt.desc(), t.id.desc()),
    /** The deadlines job's three sweeps. */
    index("orders_published_deadline_idx").on(t.deadlineAt).where(sql`${t.status} = 'published'`),
    index("orders_awarded_deadline_idx")
      .on(t.deadlineAt)
      .where(sql`${t.status} = 'awarded' and ${t.deadlineNotifiedAt} is null`),
    index("orders_cancel_requested_deadline_idx")
      .on(t.deadlineAt)
      .where(sql`${t.status} = 'cancel_requested'`),
    index("orders_auto_accept_idx").on(t.autoAcceptAt).where(sql`${t.status} = 'delivered'`),
    index("orders_status_created_idx").on(t.status, t.createdAt.desc(), t.id.desc()),
  ],
);

/** An application (投稿) to an order: one per user and order. */
export const orderApplications = pgTable(
  "order_applications",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    applicantId: text("applicant_id").notNull(),
    proposalText: text("proposal_text").notNull(),
    status: text("status", { enum: ["pending", "awarded", "not_selected"] })
      .notNull()
      .default("pending"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("order_applications_uq").on(t.orderId, t.applicantId),
    index("order_applications_order_idx").on(t.orderId, t.createdAt),
    index("order_applications_applicant_idx").on(t.applicantId, t.createdAt.desc(), t.id.desc()),
  ],
);
