import { z } from "zod";
import { cnyAmount, coinAmount } from "./common.js";

export const productType = z.enum([
  "credits_pack",
  "subscription_monthly",
  "promoter_activation",
  "coins_pack",
]);
export const productsQuery = z.strictObject({ type: productType.optional() });
export const product = z.object({
  product_id: z.string(),
  type: productType,
  name: z.string(),
  price_cny: cnyAmount,
  credits_amount: z.number().int(),
  coins_amount: coinAmount,
  duration_days: z.number().int(),
  description: z.string(),
});
export type Product = z.infer<typeof product>;

/** What a model accepts as an image→video reference; the server fits an upload into it before sending. */
export const modelImageLimits = z.object({
  /** Pixels per side, inclusive. */
  min_side: z.number().int(),
  max_side: z.number().int(),
  /** width / height, inclusive. */
  min_aspect: z.number(),
  max_aspect: z.number(),
  max_bytes: z.number().int(),
  /**
   * `follows-image`: the video keeps the reference's ratio (the chosen ratio only applies to text→video);
   * `crops-to-ratio`: the vendor crops the reference to the chosen ratio.
   */
  output: z.enum(["crops-to-ratio", "follows-image"]),
});
export type ModelImageLimits = z.infer<typeof modelImageLimits>;

export const modelInfo = z.object({
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  durations: z.array(z.number().int()),
  ratios: z.array(z.string()),
  /** Output resolutions (`480p`, `720p`, `768p`, `1080p`); the first is the default. */
  resolutions: z.array(z.string()),
  image_to_video: z.boolean(),
  /** Set when image_to_video. */
  image: modelImageLimits.nullable(),
  credits_per_second: z.number().int(),
});
export type ModelInfo = z.infer<typeof modelInfo>;

export const publicConfig = z.object({
  credits_per_cny: z.number().int(),
  generation: z.object({
    durations: z.array(z.number().int()),
    prompt_max_chars: z.number().int(),
    max_unfinished_tasks: z.number().int(),
    max_tasks_per_day: z.number().int(),
  }),
  download_no_watermark_credits: z.number().int(),
  prompt_unlock: z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() }),
  remix_fee: z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() }),
  tip_amounts: z.array(z.number().int()),
  credit_to_coin_rate: coinAmount,
  platform_fee_percent: z.object({ creator_income: z.number().int(), commission_orders: z.number().int() }),
  freeze_days: z.number().int(),
  monthly_card: z.object({ price_cny: cnyAmount, days: z.number().int(), daily_credits: z.number().int() }),
  task_center: z.object({ tasks_per_day: z.number().int(), reward_credits: z.number().int() }),
  withdrawal: z.object({ min_cny: cnyAmount, max_cny: cnyAmount, max_per_day: z.number().int() }),
  /** 商单 (SPEC §6): the least budget, the platform's fee and the automatic acceptance after delivery. */
  commission_orders: z.object({
    min_budget_coins: coinAmount,
    fee_percent: z.number().int(),
    auto_accept_days: z.number().int(),
  }),
  promoter: z.object({
    activation_cny: cnyAmount,
    activation_credits: z.number().int(),
    new_user_bonus_credits: z.number().int(),
    new_user_bind_days: z.number().int(),
    direct_commission_percent: z.number().int(),
    second_level_commission_permille: z.number().int(),
  }),
  recharge_daily_limit_cny: cnyAmount,
  models: z.array(modelInfo),
  features: z.object({ wechat_login: z.boolean(), dev_tools: z.boolean() }),
  /** Payment channels this deployment offers, in display order (sandbox only in development). */
  pay_channels: z.array(z.enum(["wechat", "alipay", "sandbox"])),
});
export type PublicConfig = z.infer<typeof publicConfig>;
