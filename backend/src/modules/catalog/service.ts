import type { Product, PublicConfig } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Locale } from "../../lib/errors.js";
import { formatCny, formatCoins } from "../../lib/money.js";
import { activePricesFen, listActiveProducts, type ProductRow } from "./repository.js";

export async function listProducts(
  ctx: AppContext,
  type: ProductRow["type"] | undefined,
  locale: Locale,
): Promise<Product[]> {
  const rows = await listActiveProducts(ctx.db, type);
  return rows.map((p) => ({
    product_id: p.id,
    type: p.type,
    name: locale === "en" ? p.nameEn : p.name,
    price_cny: formatCny(p.priceFen),
    credits_amount: p.creditsAmount,
    coins_amount: formatCoins(p.coinsMilli),
    duration_days: p.durationDays,
    description: p.description,
  }));
}

/**
 * The public economy of SPEC §1, from the one config module; the monthly card and promoter prices from
 * the products on sale (an admin may change them), and the models from the runtime catalog.
 */
export async function publicConfig(ctx: AppContext): Promise<PublicConfig> {
  const e = ctx.economy;
  const prices = await activePricesFen(ctx.db, ["subscription_monthly", "promoter_activation"]);
  return {
    credits_per_cny: e.CREDITS_PER_CNY,
    generation: {
      durations: e.GENERATION_DURATIONS,
      prompt_max_chars: e.PROMPT_MAX_CHARS,
      max_unfinished_tasks: e.MAX_UNFINISHED_TASKS,
      max_tasks_per_day: e.MAX_TASKS_PER_DAY,
    },
    download_no_watermark_credits: e.DOWNLOAD_NO_WATERMARK_CREDITS,
    prompt_unlock: { min: e.PROMPT_PRICE_MIN, max: e.PROMPT_PRICE_MAX, default: e.PROMPT_PRICE_DEFAULT },
    remix_fee: { min: e.REMIX_FEE_MIN, max: e.REMIX_FEE_MAX, default: e.REMIX_FEE_DEFAULT },
    tip_amounts: e.TIP_AMOUNTS,
    credit_to_coin_rate: formatCoins(BigInt(e.CREDIT_TO_MILLICOINS)),
    platform_fee_percent: {
      creator_income: e.CREATOR_PLATFORM_FEE_PERCENT,
      commission_orders: e.ORDER_PLATFORM_FEE_PERCENT,
    },
    freeze_days: e.FREEZE_DAYS,
    monthly_card: {
      price_cny: formatCny(prices.get("subscription_monthly") ?? e.MONTHLY_CARD_PRICE_FEN),
      days: e.MONTHLY_CARD_DAYS,
      daily_credits: e.MONTHLY_CARD_DAILY_CREDITS,
    },
    task_center: { tasks_per_day: e.TASK_CENTER_TASKS_PER_DAY, reward_credits: e.TASK_CENTER_REWARD_CREDITS },
    withdrawal: {
      min_cny: formatCny(e.WITHDRAW_MIN_FEN),
      max_cny: formatCny(e.WITHDRAW_MAX_FEN),
      max_per_day: e.WITHDRAW_MAX_PER_DAY,
    },
    commission_orders: {
      min_budget_coins: formatCoins(BigInt(e.ORDER_MIN_BUDGET_MILLI)),
      fee_percent: e.ORDER_PLATFORM_FEE_PERCENT,
      auto_accept_days: e.ORDER_AUTO_ACCEPT_DAYS,
    },
    promoter: {
      activation_cny: formatCny(prices.get("promoter_activation") ?? e.PROMOTER_ACTIVATION_FEN),
      activation_credits: e.PROMOTER_ACTIVATION_CREDITS,
      new_user_bonus_credits: e.REFERRAL_NEW_USER_BONUS_CREDITS,
      new_user_bind_days: e.REFERRAL_BIND_WINDOW_DAYS,
      direct_commission_percent: e.DIRECT_COMMISSION_PERCENT,
      second_level_commission_permille: e.SECOND_LEVEL_COMMISSION_PERMILLE,
    },
    recharge_daily_limit_cny: formatCny(e.RECHARGE_DAILY_LIMIT_FEN),
    models: ctx.catalog
      .models()
      .filter((m) => m.enabled)
      .map((m) => ({
        id: m.id,
        name: m.name,
        vendor: m.vendor,
        durations: m.durations,
        ratios: m.ratios,
        resolutions: m.resolutions,
        image_to_video: m.imageToVideo,
        image: m.image && {
          min_side: m.image.minSide,
          max_side: m.image.maxSide,
          min_aspect: m.image.minAspect,
          max_aspect: m.image.maxAspect,
          max_bytes: m.image.maxBytes,
          output: m.image.output,
        },
        credits_per_second: m.creditsPerSecond,
      })),
    features: { wechat_login: ctx.wechat !== null, dev_tools: ctx.config.devToolsEnabled },
    pay_channels: ctx.config.paymentChannels,
  };
}
