import { z } from "zod";
import { product } from "./catalog.js";
import { cnyAmount, coinAmount, id, isoDateTime } from "./common.js";
import { payment } from "./payments.js";
import { adminRole } from "./rewards.js";
import { ledgerEntry } from "./wallet.js";

/** SPEC §7: the admin console's API (`/api/v1/admin/…`). */

const listQuery = {
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
};

// --- audit ---
export const auditEntry = z.object({
  audit_id: id,
  actor: z.object({ user_id: id, nickname: z.string() }),
  /** e.g. user.ban, user.adjust, withdrawal.approve, order.settle, work.take_down, model.update. */
  action: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  request_id: z.string().nullable(),
  created_at: isoDateTime,
});
export type AuditEntry = z.infer<typeof auditEntry>;
export const auditQuery = z.strictObject({
  actor_id: id.optional(),
  action: z.string().max(64).optional(),
  target_type: z.string().max(32).optional(),
  target_id: z.string().max(64).optional(),
  ...listQuery,
});

// --- dashboard ---
export const dashboardQuery = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(7), z.literal(30), z.literal(90)]))
    .default(7),
});
export const dashboardDay = z.object({
  /** Shanghai business day `YYYY-MM-DD`. */
  day: z.string(),
  new_users: z.number().int(),
  /** Users who opened the app that day. */
  dau: z.number().int(),
  generations: z.number().int(),
  generations_succeeded: z.number().int(),
  generations_failed: z.number().int(),
  /** Tasks of that day whose credits went back (failures, timeouts, rejected submissions). */
  generations_refunded: z.number().int(),
  /** Credits spent on generations that day (net of refunds). */
  generation_credits: z.number().int(),
  gmv_cny: z.object({ wechat: cnyAmount, alipay: cnyAmount, sandbox: cnyAmount, total: cnyAmount }),
  /** The platform's coin income that day: creator-income fees and order fees; commissions it paid. */
  fee_coins: coinAmount,
  commission_coins: coinAmount,
});
export type DashboardDay = z.infer<typeof dashboardDay>;
export const dashboard = z.object({
  days: z.number().int(),
  series: z.array(dashboardDay),
  totals: z.object({
    users: z.number().int(),
    coins_pending: coinAmount,
    coins_available: coinAmount,
    withdrawals_waiting: z.object({ count: z.number().int(), amount_cny: cnyAmount }),
    disputes_open: z.number().int(),
  }),
  generated_at: isoDateTime,
});
export type Dashboard = z.infer<typeof dashboard>;

// --- users ---
export const adminUserStatus = z.enum(["active", "banned", "deleted"]);
export const adminUsersQuery = z.strictObject({
  /** A phone (or its last digits), a nickname fragment or a user id. */
  q: z.string().trim().max(64).optional(),
  status: adminUserStatus.optional(),
  ...listQuery,
});
export const adminUser = z.object({
  user_id: id,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  phone: z.string().nullable(),
  status: adminUserStatus,
  ban_reason: z.string().nullable(),
  roles: z.array(adminRole),
  credits: z.number().int(),
  coins_available: coinAmount,
  coins_pending: coinAmount,
  created_at: isoDateTime,
});
export type AdminUser = z.infer<typeof adminUser>;
export const adminUserDetail = adminUser.extend({
  ledger: z.array(ledgerEntry),
  tasks: z.array(
    z.object({
      task_id: id,
      status: z.string(),
      prompt: z.string(),
      model: z.string(),
      cost_credits: z.number().int(),
      created_at: isoDateTime,
    }),
  ),
  works: z.array(z.object({ work_id: id, title: z.string(), status: z.string(), created_at: isoDateTime })),
  payments: z.array(payment),
  withdrawals: z.array(
    z.object({ withdrawal_id: id, amount_cny: cnyAmount, status: z.string(), created_at: isoDateTime }),
  ),
  daily_tasks: z.array(z.object({ task_key: z.string(), status: z.string() })),
  /** What this admin may still adjust today (SPEC §7 adjustments are limited per admin and day). */
  adjust_limits: z.object({ credits: z.number().int(), coins: coinAmount }),
});
export type AdminUserDetail = z.infer<typeof adminUserDetail>;
export const adminReasonBody = z.strictObject({ reason: z.string().trim().min(2).max(200) });
export const adminAdjustBody = z.strictObject({
  asset: z.enum(["credits", "coins"]),
  /** Signed: credits as an integer string ("50", "-20"); coins with up to 3 decimals ("-1.5"). */
  amount: z
    .string()
    .trim()
    .regex(/^-?\d{1,9}(\.\d{1,3})?$/),
  reason: z.string().trim().min(2).max(200),
});
export type AdminAdjustBody = z.infer<typeof adminAdjustBody>;
export const adminAdjustResult = z.object({
  ledger_id: id,
  balance_after: z.union([z.number().int(), coinAmount]),
});
export const adminRolesBody = z.strictObject({ roles: z.array(adminRole).max(3) });

// --- payments ---
export const adminPaymentsQuery = z.strictObject({
  status: z.enum(["pending", "paid", "failed", "closed"]).optional(),
  /** A payment id, a gateway trade number or a user id. */
  q: z.string().trim().max(64).optional(),
  ...listQuery,
});
export const adminPayment = payment.extend({
  user_id: id,
  nickname: z.string(),
  gateway_trade_no: z.string().nullable(),
  /** The verified callback as received (decrypted for WeChat), for finance. */
  raw_callback: z.record(z.string(), z.unknown()).nullable(),
});
export type AdminPayment = z.infer<typeof adminPayment>;

// --- reconciliation ---
export const reconciliation = z.object({
  ok: z.boolean(),
  accounts_checked: z.number().int(),
  account_mismatches: z.array(z.object({ account_id: z.string(), cached: z.string(), posted: z.string() })),
  asset_totals: z.array(z.object({ asset: z.string(), cached: z.string(), posted: z.string() })),
  unbalanced_transactions: z.array(
    z.object({ transaction_id: z.string(), asset: z.string(), total: z.string() }),
  ),
  escrow_mismatches: z.array(
    z.object({ order_id: z.string(), status: z.string(), escrow: z.string(), expected: z.string() }),
  ),
  ran_at: isoDateTime,
});
export type Reconciliation = z.infer<typeof reconciliation>;

// --- moderation ---
export const adminWorksQuery = z.strictObject({
  status: z.enum(["published", "unpublished", "taken_down"]).optional(),
  q: z.string().trim().max(64).optional(),
  ...listQuery,
});
export const adminWork = z.object({
  work_id: id,
  title: z.string(),
  status: z.enum(["published", "unpublished", "taken_down"]),
  takedown_reason: z.string().nullable(),
  creator: z.object({ user_id: id, nickname: z.string() }),
  cover_url: z.string(),
  play_url: z.string(),
  like_count: z.number().int(),
  tip_count: z.number().int(),
  created_at: isoDateTime,
});
export type AdminWork = z.infer<typeof adminWork>;
export const sensitiveWords = z.object({ words: z.array(z.string()), builtin: z.array(z.string()) });
export const sensitiveWordsBody = z.strictObject({
  words: z.array(z.string().trim().min(1).max(32)).max(5000),
});

// --- catalog at runtime ---
export const adminProduct = product.extend({ active: z.boolean(), sort: z.number().int() });
export type AdminProduct = z.infer<typeof adminProduct>;
export const adminProductPatch = z.strictObject({
  name: z.string().trim().min(1).max(40).optional(),
  price_cny: cnyAmount.optional(),
  credits_amount: z.number().int().min(0).max(10_000_000).optional(),
  coins_amount: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,2})?$/)
    .optional(),
  active: z.boolean().optional(),
});
export const adminModel = z.object({
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  /** Offered to users: switched on (model and vendor), its vendor configured, not in MODELS_DISABLED. */
  enabled: z.boolean(),
  /**
   * Both admin switches are on: the model's own and its whole vendor's. A model listed in the
   * MODELS_DISABLED env stays unoffered whatever is switched, as does one whose vendor is not configured.
   */
  switched_on: z.boolean(),
  vendor_configured: z.boolean(),
  durations: z.array(z.number().int()),
  ratios: z.array(z.string()),
  image_to_video: z.boolean(),
  credits_per_second: z.number().int(),
  timeout_minutes: z.number().int(),
  updated_at: isoDateTime.nullable(),
});
export type AdminModel = z.infer<typeof adminModel>;
export const adminModelPatch = z.strictObject({
  switched_on: z.boolean().optional(),
  credits_per_second: z.number().int().min(1).max(100).optional(),
  durations: z.array(z.number().int().min(1).max(60)).min(1).max(8).optional(),
  ratios: z
    .array(z.enum(["9:16", "16:9", "1:1"]))
    .min(1)
    .max(3)
    .optional(),
  timeout_minutes: z.number().int().min(1).max(240).optional(),
});
export const adminVendorBody = z.strictObject({ switched_on: z.boolean() });

// --- vendor costs (issue 13 §7) ---
export const vendorCostRow = z.object({
  day: z.string().describe("Shanghai business day the tasks were created, YYYY-MM-DD"),
  model: z.string(),
  tasks: z.number().int(),
  succeeded: z.number().int(),
  credits_charged: z.number().int().describe("credits spent on the succeeded tasks (failures are refunded)"),
  vendor_cost_cny: z.string().describe("what the vendors bill for the succeeded tasks, yuan with 3 decimals"),
});
export type VendorCostRow = z.infer<typeof vendorCostRow>;
export const vendorCosts = z.object({ days: z.number().int(), items: z.array(vendorCostRow) });
export type VendorCosts = z.infer<typeof vendorCosts>;

// --- jobs ---
export const adminJobs = z.object({
  /** `bullmq` (Redis) or `outbox` (the embedded default). */
  backend: z.enum(["bullmq", "outbox"]),
  queues: z.array(
    z.object({
      name: z.string(),
      waiting: z.number().int(),
      active: z.number().int(),
      delayed: z.number().int(),
      failed: z.number().int(),
      completed: z.number().int(),
    }),
  ),
  recent_failures: z.array(
    z.object({
      job_id: z.string(),
      name: z.string(),
      attempts: z.number().int(),
      error: z.string(),
      at: isoDateTime,
    }),
  ),
  /** The bull-board UI, when the queue is BullMQ. */
  board_url: z.string().nullable(),
});
export type AdminJobs = z.infer<typeof adminJobs>;
