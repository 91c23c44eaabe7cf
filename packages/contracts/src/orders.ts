import { z } from "zod";
import { coinAmount, id, isoDateTime } from "./common.js";
import { creatorBrief } from "./community.js";

/** SPEC §6: commission orders (商单). */
export const ORDER_MIN_BUDGET_COINS = 10;
/** The platform's fee on an order (SPEC §1); the creator's 95 % is rounded down to 0.001 coin. */
export const ORDER_FEE_PERCENT = 5;
/** A delivered order is accepted automatically after this many days (SPEC §6). */
export const ORDER_AUTO_ACCEPT_DAYS = 7;

export const orderCategory = z.enum([
  "brand",
  "ecommerce",
  "short_drama",
  "music_video",
  "explainer",
  "other",
]);
export type OrderCategory = z.infer<typeof orderCategory>;

/**
 * published → awarded → delivered → completed; published → cancelled; awarded → cancel_requested →
 * awarded | cancelled; delivered → disputed → completed | cancelled | split.
 */
export const orderStatus = z.enum([
  "published",
  "awarded",
  "cancel_requested",
  "delivered",
  "disputed",
  "completed",
  "cancelled",
  "split",
]);
export type OrderStatus = z.infer<typeof orderStatus>;

/** How an order ended: who or what closed it. */
export const orderOutcome = z.enum([
  "accepted",
  "auto_accepted",
  "cancelled_by_publisher",
  "cancelled_by_consent",
  "cancelled_after_deadline",
  "expired",
  "dispute_paid",
  "dispute_refunded",
  "dispute_split",
]);
export type OrderOutcome = z.infer<typeof orderOutcome>;

export const orderApplicationStatus = z.enum(["pending", "awarded", "not_selected"]);

export const orderApplication = z.object({
  application_id: id,
  applicant: creatorBrief,
  proposal_text: z.string(),
  status: orderApplicationStatus,
  created_at: isoDateTime,
});
export type OrderApplication = z.infer<typeof orderApplication>;

/** The viewer's part in an order. */
export const orderRole = z.enum(["publisher", "awarded", "applicant", "none"]);
export type OrderRole = z.infer<typeof orderRole>;

export const order = z.object({
  order_id: id,
  title: z.string(),
  brief: z.string(),
  category: orderCategory,
  status: orderStatus,
  outcome: orderOutcome.nullable(),
  budget_coins: coinAmount,
  /** What accepting pays: the creator's 95 % (pending 7 days) and the platform's 5 %. */
  payout_coins: coinAmount,
  fee_coins: coinAmount,
  deadline_at: isoDateTime,
  publisher: creatorBrief,
  awarded_creator: creatorBrief.nullable(),
  delivered_work: z.object({ work_id: id, title: z.string(), cover_url: z.string().nullable() }).nullable(),
  applications_count: z.number().int(),
  viewer_role: orderRole,
  /** The publisher sees every application; an applicant only its own; anyone else none. */
  applications: z.array(orderApplication),
  awarded_at: isoDateTime.nullable(),
  delivered_at: isoDateTime.nullable(),
  /** When a delivered order is accepted automatically. */
  auto_accept_at: isoDateTime.nullable(),
  cancel_requested_at: isoDateTime.nullable(),
  cancel_reason: z.string().nullable(),
  /** Awarded, not delivered and past its deadline: the publisher may cancel without the creator's consent. */
  can_cancel_without_consent: z.boolean(),
  dispute: z
    .object({
      reason: z.string(),
      opened_at: isoDateTime,
      resolution: z.enum(["pay", "refund", "split"]).nullable(),
      /** The creator's gross share of the budget in a settlement (before the 5 % fee). */
      creator_share_coins: coinAmount.nullable(),
      note: z.string().nullable(),
      settled_at: isoDateTime.nullable(),
    })
    .nullable(),
  /** Coins the creator received (net, pending 7 days) and the publisher got back, once the order ended. */
  creator_paid_coins: coinAmount.nullable(),
  publisher_refunded_coins: coinAmount.nullable(),
  finished_at: isoDateTime.nullable(),
  created_at: isoDateTime,
});
export type Order = z.infer<typeof order>;

/** Coin budgets: whole coins or up to 2 decimals (coins are bought in fen). */
const budget = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,7}(\.\d{1,2})?$/, "a coin amount with at most 2 decimals"));

export const orderCreateBody = z.strictObject({
  title: z.string().trim().min(2).max(60),
  brief: z.string().trim().min(10).max(2000),
  category: orderCategory,
  deadline_at: z.iso.datetime({ offset: true }),
  budget_coins: budget,
});
export type OrderCreateBody = z.input<typeof orderCreateBody>;
export const orderCreateResult = z.object({ order, coins_available: coinAmount });
export type OrderCreateResult = z.infer<typeof orderCreateResult>;

/**
 * `active` = not finished yet; `finished` = completed, split or cancelled; `done` = ended with the
 * creator paid (completed or split).
 */
export const orderStatusFilter = z.union([orderStatus, z.enum(["active", "finished", "done"])]);
export type OrderStatusFilter = z.infer<typeof orderStatusFilter>;
export const orderListQuery = z.strictObject({
  role: z.enum(["open", "publisher", "applicant"]).default("open"),
  status: orderStatusFilter.optional(),
  category: orderCategory.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type OrderListQuery = Partial<Omit<z.infer<typeof orderListQuery>, "cursor">> & {
  cursor?: string | null;
};

export const orderApplyBody = z.strictObject({ proposal_text: z.string().trim().min(5).max(1000) });
export const orderAwardBody = z.strictObject({ creator_user_id: id });
export const orderDeliverBody = z.strictObject({ work_id: id });
export const orderCancelRequestBody = z.strictObject({ reason: z.string().trim().max(200).optional() });
export const orderCancelDecideBody = z.strictObject({ decision: z.enum(["approve", "reject"]) });
export const orderDisputeBody = z.strictObject({ reason: z.string().trim().min(5).max(1000) });
export const orderSettleBody = z.strictObject({
  resolution: z.enum(["pay", "refund", "split"]),
  /** split only: the creator's gross share of the budget, 0 < share < budget. */
  creator_share_coins: budget.optional(),
  note: z.string().trim().min(1).max(500),
});
export type OrderSettleBody = z.input<typeof orderSettleBody>;
export const adminOrdersQuery = z.strictObject({
  status: orderStatusFilter.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
