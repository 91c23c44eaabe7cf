import type { Order } from "@skyriff/contracts";
import { CheckCircleFill, CloseCircleFill, RightOutline } from "antd-mobile-icons";
import { useNavigate } from "react-router-dom";
import { type MessageKey, useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { OUTCOME_LABEL, STATUS_LOOK, useOrderTerms } from "../../orders.tsx";
import { formatDateTime } from "../../payments.tsx";
import { ConfirmRow } from "../OrderCreate.tsx";

const RESOLUTION_LABEL: Record<NonNullable<NonNullable<Order["dispute"]>["resolution"]>, MessageKey> = {
  pay: "ord.resolutionPay",
  refund: "ord.resolutionRefund",
  split: "ord.resolutionSplit",
};

/** A coin amount that is there and not zero. */
const positive = (v: string | null): v is string => v !== null && !/^0+(\.0+)?$/.test(v);

/** How a finished order ended, with what each side got. */
export function OrderOutcome({ order }: { order: Order }) {
  const { t } = useI18n();
  const cancelled = order.status === "cancelled";
  return (
    <section
      className={`ord-outcome${cancelled ? " ord-outcome-off" : ""}`}
      data-testid="order-outcome"
      data-outcome={order.outcome ?? ""}
    >
      <div className="ord-outcome-head">
        {cancelled ? <CloseCircleFill /> : <CheckCircleFill />}
        <b data-testid="order-outcome-text">
          {order.outcome ? t(OUTCOME_LABEL[order.outcome]) : t(STATUS_LOOK[order.status].label)}
        </b>
      </div>
      <OutcomeFigures order={order} />
      {order.dispute?.note && (
        <div className="ord-outcome-note">
          {t("ord.disputeNote")}
          <span data-user-content>{order.dispute.note}</span>
        </div>
      )}
      <ViewerShare order={order} />
    </section>
  );
}

/** What the creator was paid, what the publisher got back, a dispute's resolution, when it ended. */
function OutcomeFigures({ order }: { order: Order }) {
  const { t, lang } = useI18n();
  const paid = order.creator_paid_coins;
  const refunded = order.publisher_refunded_coins;
  const coins = (value: string) => t("ord.coinsAmount", { coins: formatCoins(value) });
  return (
    <dl className="ord-money">
      {positive(paid) && (
        <ConfirmRow
          label={t("ord.outCreatorPaid")}
          value={<b data-testid="order-creator-paid">{coins(paid)}</b>}
        />
      )}
      {positive(refunded) && (
        <ConfirmRow
          label={t("ord.outPublisherRefunded")}
          value={<b data-testid="order-publisher-refunded">{coins(refunded)}</b>}
        />
      )}
      {order.dispute?.resolution && (
        <ConfirmRow
          label={t("ord.disputeResolution")}
          value={t(RESOLUTION_LABEL[order.dispute.resolution])}
        />
      )}
      {order.dispute?.resolution === "split" && order.dispute.creator_share_coins && (
        <ConfirmRow
          label={t("ord.splitShare")}
          value={<span data-testid="order-split-share">{coins(order.dispute.creator_share_coins)}</span>}
        />
      )}
      {order.finished_at && (
        <ConfirmRow label={t("ord.finishedAt")} value={formatDateTime(order.finished_at, lang)} />
      )}
    </dl>
  );
}

/** The viewer's own side: the creator's coins now pending (→ 冻结中), the publisher's refund. */
function ViewerShare({ order }: { order: Order }) {
  const { t } = useI18n();
  const { freezeDays } = useOrderTerms();
  const navigate = useNavigate();
  const paid = order.creator_paid_coins;
  const refunded = order.publisher_refunded_coins;
  if (order.viewer_role === "awarded" && positive(paid))
    return (
      <button
        type="button"
        className="ord-outcome-link"
        data-testid="order-outcome-pending"
        onClick={() => navigate("/me/pending-coins")}
      >
        {t("ord.outYourPending", { coins: formatCoins(paid), days: freezeDays })} <RightOutline />
      </button>
    );
  if (order.viewer_role === "publisher" && positive(refunded))
    return (
      <div className="ord-outcome-sub" data-testid="order-outcome-refund">
        {t("ord.outYourRefund", { coins: formatCoins(refunded) })}
      </div>
    );
  return null;
}
