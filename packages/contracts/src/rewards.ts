import { z } from "zod";
import { cnyAmount, coinAmount, id, isoDateTime } from "./common.js";

/** SPEC §5: the daily task center. */
export const taskKey = z.enum([
  "login_daily",
  "gen_success",
  "publish_work",
  "remix_work",
  "like_work",
  "follow_user",
  "tip_and_favorite",
]);
export type TaskKey = z.infer<typeof taskKey>;
export const taskCategory = z.enum(["active", "create", "interact"]);
export type TaskCategory = z.infer<typeof taskCategory>;
/** in_progress → completed (the action happened today) → claimed (the reward was posted). */
export const dailyTaskStatus = z.enum(["in_progress", "completed", "claimed"]);
export type DailyTaskStatus = z.infer<typeof dailyTaskStatus>;

export const dailyTask = z.object({
  task_key: taskKey,
  category: taskCategory,
  title: z.string(),
  description: z.string(),
  reward_credits: z.number().int(),
  progress: z.number().int(),
  target: z.number().int(),
  status: dailyTaskStatus,
  completed_at: isoDateTime.nullable(),
  claimed_at: isoDateTime.nullable(),
});
export type DailyTask = z.infer<typeof dailyTask>;

export const tasksToday = z.object({
  /** The Shanghai business day, `YYYY-MM-DD`. */
  day: z.string(),
  tasks: z.array(dailyTask),
  /** The next 00:00 Asia/Shanghai, when a new set is assigned. */
  resets_at: isoDateTime,
});
export type TasksToday = z.infer<typeof tasksToday>;

export const taskClaimBody = z.strictObject({ task_key: taskKey });
export const taskClaimResult = z.object({
  task_key: taskKey,
  reward_credits: z.number().int(),
  ledger_id: id,
  balance_after: z.number().int(),
});
export type TaskClaimResult = z.infer<typeof taskClaimResult>;

/** SPEC §5: withdrawals. */
export const withdrawalMethod = z.enum(["bank_card", "alipay", "wechat"]);
export type WithdrawalMethod = z.infer<typeof withdrawalMethod>;
export const withdrawalStatus = z.enum(["applied", "approved", "paid", "rejected", "failed"]);
export type WithdrawalStatus = z.infer<typeof withdrawalStatus>;

export const withdrawalCreateBody = z.strictObject({
  amount_cny: z.string().min(1).max(20),
  method: withdrawalMethod,
  account_info: z.strictObject({
    /** The payee's real name (checked by the gateway against the account). */
    name: z.string().trim().min(1).max(40),
    /** Bank card number, Alipay login id (phone / email) or WeChat account. */
    account: z.string().trim().min(1).max(64),
    /** Bank name for bank_card (shown on the manual transfer batch). */
    bank_name: z.string().trim().max(40).optional(),
  }),
});
export type WithdrawalCreateBody = z.input<typeof withdrawalCreateBody>;

export const withdrawal = z.object({
  withdrawal_id: id,
  amount_cny: cnyAmount,
  method: withdrawalMethod,
  /** `6222 **** **** 1234`, `138****0000`, `a***@example.com`. */
  account_masked: z.string(),
  /** `张*`. */
  name_masked: z.string(),
  bank_name: z.string().nullable(),
  status: withdrawalStatus,
  /** The rejection or payout failure reason. */
  reason: z.string().nullable(),
  created_at: isoDateTime,
  /** When a reviewer approved or rejected it. */
  processed_at: isoDateTime.nullable(),
  /** When the money reached the account (paid) or the payout failed. */
  finished_at: isoDateTime.nullable(),
});
export type Withdrawal = z.infer<typeof withdrawal>;

export const withdrawalCreateResult = z.object({
  withdrawal: withdrawal,
  coins_available: coinAmount,
});
export type WithdrawalCreateResult = z.infer<typeof withdrawalCreateResult>;

/** What the 提现 page shows before a request: the rules and today's use. */
export const withdrawalRules = z.object({
  min_cny: cnyAmount,
  max_cny: cnyAmount,
  daily_count_max: z.number().int(),
  used_today: z.number().int(),
  coins_available: coinAmount,
  phone_bound: z.boolean(),
  wechat_bound: z.boolean(),
  methods: z.array(withdrawalMethod),
  fee_cny: cnyAmount,
});
export type WithdrawalRules = z.infer<typeof withdrawalRules>;

/** SPEC §7: the finance review of withdrawals. */
export const payoutStatus = z.enum(["none", "pending", "processing", "manual", "success", "failed"]);
export type PayoutStatus = z.infer<typeof payoutStatus>;
export const adminWithdrawal = withdrawal.extend({
  user_id: id,
  nickname: z.string(),
  phone_masked: z.string().nullable(),
  payout_channel: z.string().nullable(),
  payout_status: payoutStatus,
  payout_ref: z.string().nullable(),
  reviewer_id: id.nullable(),
});
export type AdminWithdrawal = z.infer<typeof adminWithdrawal>;
export const adminWithdrawalsQuery = z.strictObject({
  status: withdrawalStatus.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const withdrawalRejectBody = z.strictObject({ reason: z.string().trim().min(1).max(200) });

export const adminRole = z.enum(["admin", "finance", "moderator"]);
export type AdminRole = z.infer<typeof adminRole>;
export const devRolesBody = z.strictObject({ user_id: id, roles: z.array(adminRole).max(3) });
export const devRolesResult = z.object({ user_id: id, roles: z.array(adminRole) });

/** SPEC §9: notifications (消息). */
export const notificationKind = z.enum([
  "tip_received",
  "prompt_unlocked",
  "work_remixed",
  "new_follower",
  "generation_succeeded",
  "generation_failed",
  "daily_task_completed",
  "coins_released",
  "commission_received",
  "withdrawal_approved",
  "withdrawal_paid",
  "withdrawal_rejected",
  "withdrawal_failed",
  "subscription_expiring",
  "order_applied",
  "order_awarded",
  "order_delivered",
  "order_accepted",
  "order_cancel_requested",
  "order_cancel_decided",
  "order_cancelled",
  "order_deadline_passed",
  "order_disputed",
  "order_dispute_settled",
  "work_taken_down",
  "work_restored",
]);
export type NotificationKind = z.infer<typeof notificationKind>;
export const notification = z.object({
  notification_id: id,
  kind: notificationKind,
  /** Rendered in the request's language. */
  title: z.string(),
  body: z.string(),
  /** Kind-specific facts (amounts as strings, ids). */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  ref_type: z.string().nullable(),
  ref_id: z.string().nullable(),
  actor: z.object({ user_id: id, nickname: z.string(), avatar_url: z.string().nullable() }).nullable(),
  read: z.boolean(),
  created_at: isoDateTime,
});
export type Notification = z.infer<typeof notification>;
export const unreadCount = z.object({ unread: z.number().int() });
export type UnreadCount = z.infer<typeof unreadCount>;
export const notificationsReadBody = z.strictObject({
  /** These ids; or every notification up to now when omitted. */
  ids: z.array(id).min(1).max(100).optional(),
});

/** The creator's earnings dashboard (我的收益). */
export const earningsSource = z.enum(["tip", "prompt", "remix", "commission", "order"]);
export type EarningsSource = z.infer<typeof earningsSource>;
export const earningsQuery = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(7), z.literal(30)]))
    .default(7),
});
export const earnings = z.object({
  days: z.number().int(),
  /** One row per Shanghai day, oldest first; coins net to the creator. */
  series: z.array(
    z.object({
      day: z.string(),
      tip: coinAmount,
      prompt: coinAmount,
      remix: coinAmount,
      commission: coinAmount,
      order: coinAmount,
      total: coinAmount,
    }),
  ),
  by_source: z.record(earningsSource, coinAmount),
  current_total: coinAmount,
  previous_total: coinAmount,
  /** (current − previous) / previous in basis points; null when the previous period earned nothing. */
  change_bp: z.number().int().nullable(),
  coins_pending: coinAmount,
  coins_available: coinAmount,
  released_in_period: coinAmount,
});
export type Earnings = z.infer<typeof earnings>;
