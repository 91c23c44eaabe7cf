import type {
  AdminUser,
  AdminWithdrawal,
  AdminWork,
  OrderOutcome,
  OrderStatus,
  PaymentStatus,
  PayoutStatus,
  WithdrawalStatus,
} from "@skyriff/contracts";
import { StatusTag } from "./components/common.tsx";
import type { Lang, T } from "./i18n.tsx";

/** Readable labels and tag colours of the contracts' enums. */
export const WITHDRAWAL_TONE: Record<
  WithdrawalStatus,
  "warning" | "processing" | "success" | "default" | "error"
> = {
  applied: "warning",
  approved: "processing",
  paid: "success",
  rejected: "default",
  failed: "error",
};
export const PAYOUT_TONE: Record<PayoutStatus, "warning" | "processing" | "success" | "default" | "error"> = {
  none: "default",
  pending: "warning",
  processing: "processing",
  manual: "warning",
  success: "success",
  failed: "error",
};
export const PAYMENT_TONE: Record<PaymentStatus, "warning" | "success" | "default" | "error"> = {
  pending: "warning",
  paid: "success",
  failed: "error",
  closed: "default",
};
export const ORDER_TONE: Record<OrderStatus, "warning" | "processing" | "success" | "default" | "error"> = {
  published: "processing",
  awarded: "processing",
  cancel_requested: "warning",
  delivered: "warning",
  disputed: "error",
  completed: "success",
  cancelled: "default",
  split: "success",
};

export function UserStatusTag({ status, t }: { status: AdminUser["status"]; t: T }) {
  const tone = status === "active" ? "success" : status === "banned" ? "error" : "default";
  return (
    <StatusTag tone={tone} testId="user-status">
      {t(`users.status.${status}`)}
    </StatusTag>
  );
}

export function WithdrawalStatusTag({ status, t }: { status: WithdrawalStatus; t: T }) {
  return (
    <StatusTag tone={WITHDRAWAL_TONE[status]} testId="withdrawal-status">
      {t(`wd.status.${status}`)}
    </StatusTag>
  );
}

export function PayoutTag({ w, t }: { w: Pick<AdminWithdrawal, "payout_status" | "payout_channel">; t: T }) {
  return (
    <StatusTag tone={PAYOUT_TONE[w.payout_status]} testId="payout-status">
      {t(`wd.payout.${w.payout_status}`)}
      {w.payout_channel ? ` · ${w.payout_channel}` : ""}
    </StatusTag>
  );
}

export function WorkStatusTag({ status, t }: { status: AdminWork["status"]; t: T }) {
  const tone = status === "published" ? "success" : status === "taken_down" ? "error" : "default";
  return (
    <StatusTag tone={tone} testId="work-status">
      {t(`works.status.${status}`)}
    </StatusTag>
  );
}

export function OrderStatusTag({ status, t }: { status: OrderStatus; t: T }) {
  return (
    <StatusTag tone={ORDER_TONE[status]} testId="order-status">
      {t(`orders.status.${status}`)}
    </StatusTag>
  );
}

export function PaymentStatusTag({ status, t }: { status: PaymentStatus; t: T }) {
  return (
    <StatusTag tone={PAYMENT_TONE[status]} testId="payment-status">
      {t(`pay.status.${status}`)}
    </StatusTag>
  );
}

export const outcomeLabel = (o: OrderOutcome | null, t: T) =>
  o ? t(`orders.outcome.${o}`) : t("common.none");

/** Ledger entry types (the seed's names), as the app shows them. */
const LEDGER_TYPES: Record<string, { zh: string; en: string }> = {
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

export function ledgerTypeLabel(type: string, lang: Lang): string {
  const entry = LEDGER_TYPES[type];
  if (!entry) return type;
  return lang === "en" ? entry.en : entry.zh;
}

/** Audit actions (`user.ban`, `withdrawal.approve` …) as words; unknown ones as they are. */
const AUDIT_ACTIONS: Record<string, { zh: string; en: string }> = {
  "user.ban": { zh: "封禁用户", en: "Ban user" },
  "user.unban": { zh: "解封用户", en: "Unban user" },
  "user.adjust": { zh: "调整余额", en: "Adjust balance" },
  "user.roles": { zh: "设置角色", en: "Set roles" },
  "withdrawal.approve": { zh: "通过提现", en: "Approve withdrawal" },
  "withdrawal.reject": { zh: "驳回提现", en: "Reject withdrawal" },
  "withdrawal.mark_paid": { zh: "标记已打款", en: "Mark withdrawal paid" },
  "payment.requery": { zh: "重新查询支付", en: "Re-query payment" },
  "order.settle": { zh: "结算争议", en: "Settle dispute" },
  "work.take_down": { zh: "下架作品", en: "Take work down" },
  "work.restore": { zh: "恢复作品", en: "Restore work" },
  "sensitive_words.update": { zh: "更新敏感词", en: "Update sensitive words" },
  "product.update": { zh: "修改商品", en: "Update product" },
  "model.update": { zh: "修改模型", en: "Update model" },
  "vendor.update": { zh: "开关厂商", en: "Switch vendor" },
  "reconciliation.run": { zh: "运行对账", en: "Run reconciliation" },
};

export function auditActionLabel(action: string, lang: Lang): string {
  const entry = AUDIT_ACTIONS[action];
  if (!entry) return action;
  return lang === "en" ? entry.en : entry.zh;
}

export const AUDIT_ACTION_OPTIONS = Object.keys(AUDIT_ACTIONS);
