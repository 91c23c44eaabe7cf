import type { Order } from "@skyriff/contracts";
import { Button, SafeArea } from "antd-mobile";
import type { ReactNode } from "react";
import { useI18n } from "../../i18n.tsx";
import { isPast } from "../../orders.tsx";
import type { OrderActions } from "./useOrderActions.ts";

/** The sheets the bar opens: a proposal, a delivery, a dispute's reason, a cancel request's reason. */
export type OrderSheet = "apply" | "deliver" | "dispute" | "cancel";

type BarProps = {
  order: Order;
  now: number;
  actions: OrderActions;
  openSheet: (sheet: OrderSheet) => void;
};

/** What the bottom bar offers this viewer now, by the viewer's part and the order's status. */
type BarChoice =
  | "apply"
  | "cancel-now"
  | "cancel-without-consent"
  | "request-cancel"
  | "review-delivery"
  | "deliver"
  | "answer-cancel-request";

/**
 * At most one set of buttons per viewer and status (选定 is in the applications list); none while the
 * order waits on the other side or is over.
 */
function barChoiceOf(order: Order, now: number): BarChoice | null {
  const role = order.viewer_role;
  switch (order.status) {
    case "published":
      if (role === "publisher") return "cancel-now";
      return role === "none" && !isPast(order.deadline_at, now) ? "apply" : null;
    case "awarded":
      if (role === "publisher")
        return order.can_cancel_without_consent ? "cancel-without-consent" : "request-cancel";
      return role === "awarded" ? "deliver" : null;
    case "delivered":
      return role === "publisher" ? "review-delivery" : null;
    case "cancel_requested":
      return role === "awarded" ? "answer-cancel-request" : null;
    default:
      return null;
  }
}

/** The bottom bar with what this viewer can do now; nothing when there is nothing to do. */
export function OrderActionBar(bar: BarProps) {
  const choice = barChoiceOf(bar.order, bar.now);
  if (!choice) return null;
  return (
    <>
      <div className="ord-bar-spacer" />
      <div className="ord-bar ord-bar-actions" data-testid="order-actions">
        <BarButtons choice={choice} {...bar} />
        <SafeArea position="bottom" />
      </div>
    </>
  );
}

function BarButtons({ choice, ...bar }: BarProps & { choice: BarChoice }) {
  const { t } = useI18n();
  const { actions, openSheet } = bar;
  const { busy } = actions;
  switch (choice) {
    case "apply":
      return (
        <BarButton
          testId="order-apply"
          look="primary"
          busy={busy}
          onClick={() => openSheet("apply")}
          label={t("ord.apply")}
        />
      );
    case "cancel-now":
      return (
        <BarButton
          testId="order-cancel"
          busy={busy}
          busyAs="cancel"
          onClick={() => void actions.cancelNow()}
          label={t("ord.cancelNow")}
        />
      );
    case "cancel-without-consent":
      return (
        <BarButton
          testId="order-cancel"
          look="danger"
          busy={busy}
          busyAs="cancel"
          onClick={() => void actions.cancelNow()}
          label={t("ord.cancelDirect")}
        />
      );
    case "request-cancel":
      return (
        <BarButton
          testId="order-cancel"
          busy={busy}
          onClick={() => openSheet("cancel")}
          label={t("ord.cancelRequest")}
        />
      );
    case "review-delivery":
      return <ReviewDeliveryButtons {...bar} />;
    case "deliver":
      return (
        <BarButton
          testId="order-deliver"
          look="primary"
          busy={busy}
          onClick={() => openSheet("deliver")}
          label={t("ord.deliver")}
        />
      );
    case "answer-cancel-request":
      return <AnswerCancelButtons {...bar} />;
  }
}

/** The publisher on a delivery: 发起争议 (until the automatic acceptance) and 验收. */
function ReviewDeliveryButtons({ order, now, actions, openSheet }: BarProps) {
  const { t } = useI18n();
  const canDispute = order.auto_accept_at ? !isPast(order.auto_accept_at, now) : true;
  return (
    <>
      {canDispute && (
        <BarButton
          testId="order-dispute"
          look="secondary"
          busy={actions.busy}
          onClick={() => openSheet("dispute")}
          label={t("ord.dispute")}
        />
      )}
      <BarButton
        testId="order-accept"
        look="primary"
        busy={actions.busy}
        busyAs="accept"
        onClick={() => void actions.accept()}
        label={t("ord.accept")}
      />
    </>
  );
}

/** The chosen creator on a cancel request: 拒绝取消 or 同意取消. */
function AnswerCancelButtons({ actions }: BarProps) {
  const { t } = useI18n();
  return (
    <>
      <BarButton
        testId="order-cancel-reject"
        look="secondary"
        busy={actions.busy}
        busyAs="reject"
        onClick={() => void actions.decideCancel("reject")}
        label={t("ord.reject")}
      />
      <BarButton
        testId="order-cancel-approve"
        look="primary"
        busy={actions.busy}
        busyAs="approve"
        onClick={() => void actions.decideCancel("approve")}
        label={t("ord.approve")}
      />
    </>
  );
}

const LOOKS = {
  /** The main step: full width, filled. */
  primary: { block: true, color: "primary" },
  /** A plain full-width button. */
  plain: { block: true },
  /** A red outline: a step the other side did not agree to. */
  danger: { block: true, color: "danger", fill: "outline" },
  /** The lesser choice beside the main one: its own width. */
  secondary: { className: "ord-bar-secondary" },
} as const;

/** One bar button; every one waits while an action runs, `busyAs` spins while that action runs. */
function BarButton({
  testId,
  label,
  look = "plain",
  busy,
  busyAs,
  onClick,
}: {
  testId: string;
  label: ReactNode;
  look?: keyof typeof LOOKS;
  busy: string | null;
  busyAs?: string;
  onClick: () => void;
}) {
  return (
    <Button
      {...LOOKS[look]}
      shape="rounded"
      size="large"
      data-testid={testId}
      loading={busyAs !== undefined && busy === busyAs}
      disabled={busy !== null}
      onClick={onClick}
    >
      {label}
    </Button>
  );
}
