import { sql } from "drizzle-orm";
import {
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

/** One purchase (SPEC §5): amount in fen, the product as it was sold, fulfilled once when paid. */
export const paymentOrders = pgTable(
  "payment_orders",
  {
    id: text("id").primaryKey(),
    /** The order number at the gateway: the id without dashes (32 chars, WeChat's limit). */
    outTradeNo: text("out_trade_no").notNull(),
    userId: text("user_id").notNull(),
    productId: text("product_id").notNull(),
    productType: text("product_type").notNull(),
    /** The product row at the time of purchase: price and grant never change under a paid order. */
    productSnapshot: jsonb("product_snapshot").notNull(),
    amountFen: integer("amount_fen").notNull(),
    currency: text("currency").notNull().default("CNY"),
    channel: text("channel", { enum: ["wechat", "alipay", "sandbox"] }).notNull(),
    client: text("client", { enum: ["app", "h5", "jsapi"] }).notNull(),
    status: text("status", { enum: ["pending", "paid", "failed", "closed"] })
      .notNull()
      .default("pending"),
    /** What the client was given to pay with (prepay id, cashier URL …). */
    payParams: jsonb("pay_params"),
    gatewayTradeNo: text("gateway_trade_no"),
    /** Set in the transaction that marks the order paid and grants the product. */
    fulfilledAt: ts("fulfilled_at"),
    paidAt: ts("paid_at"),
    closedReason: text("closed_reason"),
    expireAt: ts("expire_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("payment_orders_amount_positive", sql`${t.amountFen} > 0`),
    check("payment_orders_status_check", sql`${t.status} in ('pending', 'paid', 'failed', 'closed')`),
    uniqueIndex("payment_orders_out_trade_no_uq").on(t.outTradeNo),
    index("payment_orders_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    /** The query job's work list: still pending, oldest first. */
    index("payment_orders_pending_idx").on(t.createdAt).where(sql`${t.status} = 'pending'`),
    /** The admin dashboard's GMV by day. */
    index("payment_orders_paid_idx").on(t.paidAt).where(sql`${t.status} = 'paid'`),
  ],
);

/** Every notification that reached a callback endpoint, verified or not, and what we did with it. */
export const paymentNotifications = pgTable(
  "payment_notifications",
  {
    id: text("id").primaryKey(),
    channel: text("channel").notNull(),
    paymentId: text("payment_id"),
    /** fulfilled | duplicate | rejected (bad signature, stale, malformed, mismatch, late …). */
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    detail: text("detail"),
    eventId: text("event_id"),
    /** The verified (decrypted) payload; null when the message did not verify. */
    verifiedPayload: jsonb("verified_payload"),
    rawBody: text("raw_body").notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [index("payment_notifications_payment_idx").on(t.paymentId, t.receivedAt)],
);

/** 月卡: one row per user; buying again extends `end_at` by the card's days. */
export const subscriptions = pgTable("subscriptions", {
  userId: text("user_id").primaryKey(),
  startAt: ts("start_at").notNull(),
  endAt: ts("end_at").notNull(),
  status: text("status", { enum: ["active", "expired"] })
    .notNull()
    .default("active"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** Each paid card extends the subscription once (the payment id is the guard). */
export const subscriptionPeriods = pgTable(
  "subscription_periods",
  {
    paymentId: text("payment_id").primaryKey(),
    userId: text("user_id").notNull(),
    days: integer("days").notNull(),
    endAtBefore: ts("end_at_before"),
    endAtAfter: ts("end_at_after").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("subscription_periods_user_idx").on(t.userId)],
);

/** One claim per user and Shanghai day; a missed day has no row and is lost. */
export const subscriptionClaims = pgTable(
  "subscription_claims",
  {
    userId: text("user_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    credits: integer("credits").notNull(),
    claimedAt: ts("claimed_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

export const promoters = pgTable(
  "promoters",
  {
    userId: text("user_id").primaryKey(),
    referralCode: text("referral_code").notNull(),
    paymentId: text("payment_id"),
    activatedAt: ts("activated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("promoters_referral_code_uq").on(t.referralCode)],
);

/** Who invited whom: one row per invitee, bound once (at first login or by code within 7 days). */
export const referrals = pgTable(
  "referrals",
  {
    userId: text("user_id").primaryKey(),
    promoterUserId: text("promoter_user_id").notNull(),
    code: text("code").notNull(),
    via: text("via", { enum: ["login", "bind"] }).notNull(),
    boundAt: ts("bound_at").notNull().defaultNow(),
  },
  (t) => [index("referrals_promoter_idx").on(t.promoterUserId, t.boundAt.desc(), t.userId.desc())],
);

/**
 * The sandbox gateway's own book (the embedded default channel): what a real gateway keeps on its side.
 * Only the sandbox provider and its cashier touch it.
 */
export const sandboxPayTrades = pgTable("sandbox_pay_trades", {
  outTradeNo: text("out_trade_no").primaryKey(),
  amountFen: integer("amount_fen").notNull(),
  description: text("description").notNull(),
  notifyUrl: text("notify_url").notNull(),
  returnUrl: text("return_url").notNull(),
  /** NOTPAY → SUCCESS | CLOSED | PAYERROR, WeChat's words (the sandbox speaks WeChat Pay v3). */
  tradeState: text("trade_state").notNull().default("NOTPAY"),
  transactionId: text("transaction_id"),
  successTime: ts("success_time"),
  expireAt: ts("expire_at").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});
