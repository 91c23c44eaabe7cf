import type { Order } from "@skyriff/contracts";
import { Dialog } from "antd-mobile";
import type { useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { ConfirmRow } from "../OrderCreate.tsx";

/*
 * The confirmations before a step of 商单详情 moves coins or ends the competition; each resolves to
 * whether the viewer confirmed.
 */

type T = ReturnType<typeof useI18n>["t"];

/** 选定 an applicant: the other applications lose. */
export function confirmAward(t: T, name: string): Promise<boolean> {
  return Dialog.confirm({
    title: t("ord.awardTitle", { name }),
    content: <div data-testid="order-award-confirm">{t("ord.awardContent", { name })}</div>,
    confirmText: t("ord.awardOk"),
    cancelText: t("common.cancel"),
  });
}

/**
 * The publisher's cancel that needs no consent: before award (refunded at once) or, after award, past
 * the deadline without a delivery.
 */
export function confirmCancelNow(t: T, order: Order): Promise<boolean> {
  const budget = formatCoins(order.budget_coins);
  const afterDeadline = order.status !== "published";
  return Dialog.confirm({
    title: afterDeadline ? t("ord.cancelDirectTitle") : t("ord.cancelNowTitle"),
    content: (
      <div data-testid="order-cancel-confirm">
        {afterDeadline ? t("ord.cancelDirectContent", { budget }) : t("ord.cancelNowContent", { budget })}
      </div>
    ),
    confirmText: afterDeadline ? t("ord.cancelDirect") : t("ord.cancelNow"),
    cancelText: t("ord.keepOrder"),
  });
}

/** 验收: the budget, the platform's fee and what the creator gets (pending `freezeDays`). */
export function confirmAccept(
  t: T,
  order: Order,
  terms: { feePercent: number; freezeDays: number },
): Promise<boolean> {
  return Dialog.confirm({
    title: t("ord.acceptTitle"),
    content: (
      <dl className="ord-confirm" data-testid="order-accept-confirm">
        <ConfirmRow
          label={t("ord.budget")}
          value={t("ord.coinsAmount", { coins: formatCoins(order.budget_coins) })}
        />
        <ConfirmRow
          label={t("ord.fee", { percent: terms.feePercent })}
          value={
            <span data-testid="order-accept-fee">
              {t("ord.coinsAmount", { coins: formatCoins(order.fee_coins) })}
            </span>
          }
        />
        <ConfirmRow
          label={t("ord.creatorGets")}
          value={
            <b data-testid="order-accept-payout">
              {t("ord.coinsAmount", { coins: formatCoins(order.payout_coins) })}
            </b>
          }
        />
        <div className="ord-confirm-note">{t("ord.acceptNote", { days: terms.freezeDays })}</div>
      </dl>
    ),
    confirmText: t("ord.acceptOk"),
    cancelText: t("common.cancel"),
  });
}

/** The chosen creator's answer to a cancel request: approve refunds the publisher. */
export function confirmCancelDecision(t: T, order: Order, decision: "approve" | "reject"): Promise<boolean> {
  const approve = decision === "approve";
  return Dialog.confirm({
    title: approve ? t("ord.approveTitle") : t("ord.rejectTitle"),
    content: (
      <div data-testid="order-decide-confirm">
        {approve
          ? t("ord.approveContent", { budget: formatCoins(order.budget_coins) })
          : t("ord.rejectContent")}
      </div>
    ),
    confirmText: approve ? t("ord.approve") : t("ord.reject"),
    cancelText: t("common.cancel"),
  });
}
