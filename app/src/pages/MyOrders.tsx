import type { Order, OrderStatusFilter } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Avatar, Button, CapsuleTabs, PullToRefresh, Tabs, Tag } from "antd-mobile";
import { RightOutline } from "antd-mobile-icons";
import type { ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { EmptyState } from "../components/EmptyState.tsx";
import { FirstPageState, PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useNow } from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCoins } from "../money.ts";
import { CATEGORY_LABEL, isFinished, STATUS_LOOK, timeLeft, useOrderList } from "../orders.tsx";
import { formatDateTime } from "../payments.tsx";
import { displayNickname } from "../userDisplay.ts";

type Role = "publisher" | "applicant";
type Group = "all" | "active" | "completed" | "cancelled";

const GROUPS: { key: Group; title: MessageKey; status?: OrderStatusFilter }[] = [
  { key: "all", title: "ord.groupAll" },
  { key: "active", title: "ord.groupActive", status: "active" },
  // 已完成: ended with the creator paid, accepted or settled by a split.
  { key: "completed", title: "ord.groupCompleted", status: "done" },
  { key: "cancelled", title: "ord.groupCancelled", status: "cancelled" },
];

/**
 * `/me/orders` — 我的商单: 我发布的 / 我投稿的, by 全部 / 进行中 / 已完成 / 已取消; each row opens the
 * order.
 */
export function MyOrdersPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const role: Role = params.get("role") === "applicant" ? "applicant" : "publisher";
  const rawGroup = params.get("status");
  const group: Group = GROUPS.some((g) => g.key === rawGroup) ? (rawGroup as Group) : "all";
  const choose = (next: { role?: Role; group?: Group }) => {
    const r = next.role ?? role;
    const g = next.group ?? group;
    setParams(
      { ...(r === "applicant" ? { role: r } : {}), ...(g !== "all" ? { status: g } : {}) },
      { replace: true },
    );
  };

  return (
    <div className="page ord-page" data-testid="my-orders">
      <PageHeader
        title={t("ord.mine")}
        fallback="/me"
        right={
          <button
            type="button"
            className="link-button"
            data-testid="my-orders-hall"
            onClick={() => navigate("/orders")}
          >
            {t("ord.hallTitle")}
          </button>
        }
      />
      <Tabs
        activeKey={role}
        onChange={(k) => choose({ role: k === "applicant" ? "applicant" : "publisher" })}
      >
        <Tabs.Tab
          key="publisher"
          title={<span data-testid="my-orders-tab-publisher">{t("ord.tabPublished")}</span>}
        />
        <Tabs.Tab
          key="applicant"
          title={<span data-testid="my-orders-tab-applicant">{t("ord.tabApplied")}</span>}
        />
      </Tabs>
      <div className="ord-filter" data-testid="my-orders-status">
        <CapsuleTabs activeKey={group} onChange={(k) => choose({ group: k as Group })}>
          {GROUPS.map((g) => (
            <CapsuleTabs.Tab key={g.key} title={t(g.title)} />
          ))}
        </CapsuleTabs>
      </div>
      <OrderRows key={`${role}-${group}`} role={role} group={group} />
    </div>
  );
}

function OrderRows({ role, group }: { role: Role; group: Group }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const status = GROUPS.find((g) => g.key === group)?.status;
  const query = useOrderList({ role, ...(status ? { status } : {}) });
  const now = useNow(true, 60_000);

  let body: ReactNode = <FirstPageState query={query} />;
  if (query.isSuccess) {
    const items = query.data.pages.flatMap((p) => p.items);
    body =
      items.length === 0 ? (
        <EmptyState
          testId="my-orders-empty"
          illustration="tasks"
          title={role === "publisher" ? t("ord.mineEmptyPublished") : t("ord.mineEmptyApplied")}
          description={role === "publisher" ? t("ord.mineEmptyPublishedHint") : t("ord.mineEmptyAppliedHint")}
          action={
            <Button
              color="primary"
              shape="rounded"
              onClick={() => navigate(role === "publisher" ? "/orders/new" : "/orders")}
            >
              {role === "publisher" ? t("ord.publish") : t("ord.goHall")}
            </Button>
          }
        />
      ) : (
        <>
          <ul className="ord-rows" data-testid="my-orders-list">
            {items.map((o) => (
              <Row
                key={o.order_id}
                order={o}
                role={role}
                now={now}
                onOpen={() => navigate(`/orders/${encodeURIComponent(o.order_id)}`)}
              />
            ))}
          </ul>
          <PageFooter query={query} />
        </>
      );
  }
  return (
    <PullToRefresh onRefresh={() => queryClient.invalidateQueries({ queryKey: ["orders", "list"] })}>
      {body}
    </PullToRefresh>
  );
}

function Row({ order, role, now, onOpen }: { order: Order; role: Role; now: number; onOpen: () => void }) {
  const { t, lang } = useI18n();
  const look = STATUS_LOOK[order.status];
  const finished = isFinished(order);
  const other =
    role === "publisher"
      ? order.awarded_creator
        ? { label: t("ord.rowCreator"), who: order.awarded_creator }
        : null
      : { label: t("ord.rowPublisher"), who: order.publisher };
  // Lists carry no applications: the viewer's part says how its application went.
  const myApp =
    role !== "applicant"
      ? null
      : order.viewer_role === "awarded"
        ? "awarded"
        : order.awarded_creator
          ? "not_selected"
          : null;
  return (
    <li>
      <button
        type="button"
        className="ord-row"
        data-testid="my-order-row"
        data-order-id={order.order_id}
        data-status={order.status}
        onClick={onOpen}
      >
        <div className="ord-row-head">
          <span className="ord-row-title" data-testid="my-order-title" data-user-content>
            {order.title}
          </span>
          <Tag color={look.color} fill="outline" data-testid="my-order-status">
            {t(look.label)}
          </Tag>
        </div>
        <div className="ord-row-meta">
          <span className={`ord-cat ord-cat-${order.category}`}>{t(CATEGORY_LABEL[order.category])}</span>
          <b className="ord-row-budget" data-testid="my-order-budget">
            {t("ord.coinsAmount", { coins: formatCoins(order.budget_coins) })}
          </b>
          <span className="ord-row-time">
            {finished && order.finished_at
              ? t("ord.finishedOn", { time: formatDateTime(order.finished_at, lang) })
              : order.status === "published"
                ? `${timeLeft(order.deadline_at, now, t)} · ${t("ord.applicationsCount", { count: order.applications_count })}`
                : t("ord.deadlineAt", { time: formatDateTime(order.deadline_at, lang) })}
          </span>
        </div>
        {(other || myApp) && (
          <div className="ord-row-foot">
            {other && (
              <span className="ord-row-who">
                <Avatar src={other.who.avatar_url ?? ""} className="ord-avatar-xs" />
                {other.label}
                <span data-user-content>{displayNickname(other.who.nickname, lang)}</span>
              </span>
            )}
            {myApp && (
              <span className={`ord-row-app ord-row-app-${myApp}`} data-testid="my-order-application">
                {myApp === "awarded" ? t("ord.appAwarded") : t("ord.appNotSelected")}
              </span>
            )}
            <RightOutline className="ord-row-arrow" />
          </div>
        )}
      </button>
    </li>
  );
}
