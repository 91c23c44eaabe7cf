import type { LedgerEntryType } from "./wallet.js";

/** A readable label for every ledger entry type of the contracts (the seed's names). */
const labels: Record<LedgerEntryType, { zh: string; en: string }> = {
  recharge: { zh: "充值", en: "Top-up" },
  gen_hold: { zh: "生成扣除", en: "Video generation" },
  gen_refund: { zh: "生成失败退回", en: "Refund for failed generation" },
  download_spend: { zh: "无水印下载", en: "Watermark-free download" },
  tip_spend: { zh: "打赏", en: "Tip sent" },
  paid_prompt_spend: { zh: "解锁提示词", en: "Prompt unlock" },
  remix_spend: { zh: "二创费用", en: "Remix fee" },
  remix_refund: { zh: "二创退回", en: "Remix refund" },
  subscription_daily_bonus: { zh: "月卡每日领取", en: "Monthly card daily credits" },
  bonus: { zh: "赠送", en: "Bonus" },
  admin_adjust: { zh: "平台调整", en: "Adjustment" },
  creator_tip_income: { zh: "收到打赏", en: "Tip received" },
  creator_prompt_income: { zh: "提示词收益", en: "Prompt income" },
  creator_remix_income: { zh: "二创收益", en: "Remix income" },
  creator_remix_reversal: { zh: "二创收益退回", en: "Remix income reversed" },
  referral_commission_income: { zh: "推广佣金", en: "Referral commission" },
  order_payout_income: { zh: "商单收入", en: "Order payout" },
  order_escrow_hold: { zh: "商单托管", en: "Order escrow" },
  order_escrow_refund: { zh: "商单托管退回", en: "Order escrow refund" },
  coins_recharge: { zh: "金币充值", en: "Coin top-up" },
  coin_release: { zh: "金币解冻", en: "Coins unfrozen" },
  withdraw: { zh: "提现", en: "Withdrawal" },
  withdraw_refund: { zh: "提现退回", en: "Withdrawal refund" },
  account_forfeit: { zh: "注销账号作废", en: "Forfeited on account deletion" },
};

/** The label of a ledger entry type in the app's and the console's languages; an unknown type as it is. */
export function ledgerTypeLabel(type: string, lang: "zh-CN" | "en"): string {
  const entry = (labels as Record<string, { zh: string; en: string } | undefined>)[type];
  if (!entry) return type;
  return lang === "en" ? entry.en : entry.zh;
}

/**
 * English for the server's Chinese descriptions that say more than the type's label (the app shows
 * descriptions in Chinese only; in English a known one is translated, an unknown one left out).
 */
const DESCRIPTIONS_EN: Record<string, string> = {
  "换用同类模型，差价已退回": "Switched to a similar model; the price difference is refunded",
};

export function ledgerDescriptionIn(description: string, lang: "zh-CN" | "en"): string | null {
  if (!description) return null;
  return lang === "en" ? (DESCRIPTIONS_EN[description] ?? null) : description;
}
