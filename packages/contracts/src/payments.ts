import { z } from "zod";
import { productType } from "./catalog.js";
import { cnyAmount, coinAmount, id, isoDateTime } from "./common.js";

/** SPEC §5: money in. Amounts are CNY strings with 2 decimals ("6.00"); the server keeps fen. */
export const payChannel = z.enum(["wechat", "alipay", "sandbox"]);
export type PayChannel = z.infer<typeof payChannel>;
/** app: the native SDK; h5: a mobile browser outside WeChat; jsapi: inside WeChat (needs the user's openid). */
export const payClient = z.enum(["app", "h5", "jsapi"]);
export type PayClient = z.infer<typeof payClient>;
export const paymentStatus = z.enum(["pending", "paid", "failed", "closed"]);
export type PaymentStatus = z.infer<typeof paymentStatus>;

export const paymentCreateBody = z.strictObject({
  product_id: id,
  pay_channel: payChannel,
  client: payClient.default("h5"),
});
export type PaymentCreateBody = z.input<typeof paymentCreateBody>;

/** `/subscriptions/buy`, `/promoter/activate`: the product is implied. */
export const channelOnlyBody = z.strictObject({
  pay_channel: payChannel,
  client: payClient.default("h5"),
});
export type ChannelOnlyBody = z.input<typeof channelOnlyBody>;

/**
 * What the client needs to pay, by channel and client:
 * - sandbox: `pay_url` (the local 收银台);
 * - wechat app: `appid, partnerid, prepayid, package, noncestr, timestamp, sign`; h5: `h5_url`;
 *   jsapi: `appId, timeStamp, nonceStr, package, signType, paySign`;
 * - alipay app: `order_string`; h5: `pay_url` (the WAP cashier).
 */
export const payParams = z.record(z.string(), z.string());

export const paymentCreateResult = z.object({
  payment_id: id,
  amount_cny: cnyAmount,
  pay_channel: payChannel,
  pay_params: payParams,
  expire_at: isoDateTime,
});
export type PaymentCreateResult = z.infer<typeof paymentCreateResult>;

export const payment = z.object({
  payment_id: id,
  product_id: z.string(),
  product_type: productType,
  product_name: z.string(),
  amount_cny: cnyAmount,
  /** What the order grants, from its product snapshot. */
  credits_amount: z.number().int(),
  coins_amount: coinAmount,
  pay_channel: payChannel,
  client: payClient,
  status: paymentStatus,
  fulfilled: z.boolean(),
  created_at: isoDateTime,
  expire_at: isoDateTime,
  paid_at: isoDateTime.nullable(),
});
export type Payment = z.infer<typeof payment>;

export const activeSubscription = z.object({
  start_at: isoDateTime,
  end_at: isoDateTime,
  /** Shanghai days left including today. */
  days_remaining: z.number().int(),
  today_claimed: z.boolean(),
  daily_credits: z.number().int(),
  /** When the next 30 can be claimed (the next Shanghai midnight when today is claimed), null when none. */
  next_claim_at: isoDateTime.nullable(),
});
export const subscriptionMe = z.object({ active_subscription: activeSubscription.nullable() });
export type SubscriptionMe = z.infer<typeof subscriptionMe>;

export const claimDailyResult = z.object({
  credits: z.number().int(),
  balance_after: z.number().int(),
  next_claim_at: isoDateTime.nullable(),
});
export type ClaimDailyResult = z.infer<typeof claimDailyResult>;

export const promoterMe = z.object({
  is_promoter: z.boolean(),
  referral_code: z.string().nullable(),
  activated_at: isoDateTime.nullable(),
  /** Credits granted at activation (600). */
  promo_credits: z.number().int(),
  stats: z.object({
    total_invites: z.number().int(),
    total_commission_coins: coinAmount,
    pending_commission_coins: coinAmount,
  }),
  /** Who invited this user, if anyone. */
  invited_by: z.object({ user_id: id, nickname: z.string() }).nullable(),
});
export type PromoterMe = z.infer<typeof promoterMe>;

export const inviteItem = z.object({
  user_id: id,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  bound_at: isoDateTime,
  /** Commission this invitee's payments earned the promoter (coins). */
  commission_coins: coinAmount,
});
export type InviteItem = z.infer<typeof inviteItem>;

export const commissionItem = z.object({
  ledger_id: id,
  amount: coinAmount,
  status: z.enum(["pending", "settled"]),
  unlock_at: isoDateTime.nullable(),
  payer_nickname: z.string(),
  payment_amount_cny: cnyAmount,
  created_at: isoDateTime,
});
export type CommissionItem = z.infer<typeof commissionItem>;

export const referralBindBody = z.strictObject({ code: z.string().trim().min(1).max(32) });
export const referralBindResult = z.object({
  bonus_credits: z.number().int(),
  balance_after: z.number().int(),
  promoter: z.object({ user_id: id, nickname: z.string() }),
});
export type ReferralBindResult = z.infer<typeof referralBindResult>;

export const devPaymentCompleteBody = z.strictObject({ result: z.enum(["success", "fail"]) });
export const devPaymentCompleteResult = z.object({
  payment_id: id,
  /** The HTTP status and body our callback endpoint answered the sandbox gateway with. */
  callback_status: z.number().int(),
  callback_body: z.string(),
  status: paymentStatus,
  fulfilled: z.boolean(),
});
export type DevPaymentCompleteResult = z.infer<typeof devPaymentCompleteResult>;

export const devJobRunBody = z.strictObject({ at: isoDateTime.optional() });
export const devJobRunResult = z.object({
  job: z.string(),
  at: isoDateTime,
  status: z.enum(["done", "skipped", "failed"]),
  detail: z.string().nullable(),
});
export type DevJobRunResult = z.infer<typeof devJobRunResult>;
