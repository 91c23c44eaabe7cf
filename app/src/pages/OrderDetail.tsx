import type { Order } from "@skyriff/contracts";
import { Button, PullToRefresh } from "antd-mobile";
import { useState } from "react";
import { useLocation, useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { FirstPageState } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/community.css";
import { useNow } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { isFinished, isPast, useOrder } from "../orders.tsx";
import type { PublishedState } from "./OrderCreate.tsx";
import { Applications } from "./order-detail/Applications.tsx";
import { OrderActionBar, type OrderSheet } from "./order-detail/OrderActionBar.tsx";
import { OrderHero, PublishedBanner } from "./order-detail/OrderHero.tsx";
import { OrderMoney } from "./order-detail/OrderMoney.tsx";
import { OrderOutcome } from "./order-detail/OrderOutcome.tsx";
import { StatusNotice, Timeline } from "./order-detail/OrderProgress.tsx";
import { AwardedCreator, DeliveredWork, MyApplication, OrderBrief } from "./order-detail/OrderSections.tsx";
import { OrderSheets } from "./order-detail/sheets.tsx";
import { useOrderActions } from "./order-detail/useOrderActions.ts";

/**
 * `/orders/:id` — 商单详情 (SPEC §6), by the viewer's part and the order's status: 投稿 for anyone; for
 * the publisher the applicants with 选定, 取消商单, 验收 and 发起争议; for the chosen creator 交付作品
 * and the answer to a cancel request; the steps 发布 → 选定 → 交付 → 验收 and, once over, the outcome.
 * The parts are in `./order-detail/`.
 */
export function OrderDetailPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const location = useLocation();
  const query = useOrder(id);
  const order = query.data;
  const published = (location.state as PublishedState | null)?.published ?? null;

  const header = <PageHeader title={t("ord.detailTitle")} fallback="/orders" />;
  if (!order) {
    const missing = query.error instanceof ApiError && query.error.status === 404;
    return (
      <div className="page ord-page" data-testid="order-detail">
        {header}
        {missing ? <OrderMissing /> : <FirstPageState query={query} />}
      </div>
    );
  }
  return (
    <div
      className="page ord-page"
      data-testid="order-detail"
      data-status={order.status}
      data-role={order.viewer_role}
    >
      {header}
      <OrderView order={order} published={published} refetch={() => query.refetch()} />
    </div>
  );
}

function OrderMissing() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <EmptyState
      testId="order-missing"
      title={t("ord.notFound")}
      action={
        <Button shape="rounded" onClick={() => navigate("/orders", { replace: true })}>
          {t("ord.backToHall")}
        </Button>
      }
    />
  );
}

/** The order top-down: header, steps, what it waits for, the outcome, the sections; the bar and sheets. */
function OrderView({
  order,
  published,
  refetch,
}: {
  order: Order;
  published: PublishedState["published"] | null;
  refetch: () => Promise<unknown>;
}) {
  const { t } = useI18n();
  const now = useNow(true, 30_000);
  const actions = useOrderActions(order, refetch);
  const [sheet, setSheet] = useState<OrderSheet | null>(null);
  const isPublisher = order.viewer_role === "publisher";
  const recruiting = order.status === "published";
  const applications = isPublisher && (
    <Applications order={order} busy={actions.busy} onAward={(app) => void actions.award(app)} />
  );
  // Someone else's order, still published but past its deadline: applications are closed.
  const closedToApplicants = order.viewer_role === "none" && recruiting && isPast(order.deadline_at, now);

  return (
    <>
      <PullToRefresh onRefresh={async () => void (await refetch())}>
        {published && isPublisher && <PublishedBanner published={published} />}
        <OrderHero order={order} now={now} />
        <Timeline order={order} />
        <StatusNotice order={order} now={now} />
        {isFinished(order) && <OrderOutcome order={order} />}
        {/* Choosing a creator is what the publisher is here for: the applicants come first. */}
        {recruiting && applications}
        <OrderBrief order={order} />
        <OrderMoney order={order} />
        {order.awarded_creator && (
          <AwardedCreator creator={order.awarded_creator} awardedAt={order.awarded_at} />
        )}
        {order.delivered_work && (
          <DeliveredWork work={order.delivered_work} deliveredAt={order.delivered_at} />
        )}
        {!recruiting && applications}
        {(order.viewer_role === "applicant" || order.viewer_role === "awarded") && (
          <MyApplication order={order} />
        )}
        {closedToApplicants && <div className="ord-closed-note">{t("ord.closedNote")}</div>}
      </PullToRefresh>

      <OrderActionBar order={order} now={now} actions={actions} openSheet={setSheet} />
      <OrderSheets order={order} open={sheet} onClose={() => setSheet(null)} actions={actions} />
    </>
  );
}
