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

/** Ledger entry types as the app shows them. */
export { ledgerTypeLabel } from "@skyriff/contracts/ledger-labels";

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
