import type { Order, OrderCategory } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Avatar, Button, CapsuleTabs, PullToRefresh, SafeArea } from "antd-mobile";
import { AddOutline, ClockCircleOutline, UserOutline } from "antd-mobile-icons";
import type { ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { EmptyState } from "../components/EmptyState.tsx";
import { FirstPageState, PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useNow } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins } from "../money.ts";
import { CATEGORY_LABEL, ORDER_CATEGORIES, timeLeft, useOrderList } from "../orders.tsx";
import { displayNickname } from "../userDisplay.ts";

const ALL = "all";

/**
 * `/orders` — 商单大厅 (SPEC §6): the open orders, newest first, by category; each card shows the budget
 * in coins, the time left, how many creators applied and who published it. 发布商单 at the bottom.
 */
export function OrdersHallPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const raw = params.get("category");
  const category = ORDER_CATEGORIES.includes(raw as OrderCategory) ? (raw as OrderCategory) : null;
  const select = (key: string) => setParams(key === ALL ? {} : { category: key }, { replace: true });
  const query = useOrderList({ role: "open", ...(category ? { category } : {}) });
  const now = useNow(true, 60_000);

  let body: ReactNode = <FirstPageState query={query} />;
  if (query.isSuccess) {
    const items = query.data.pages.flatMap((p) => p.items);
    body =
      items.length === 0 ? (
        <EmptyState
          testId="orders-hall-empty"
          illustration="tasks"
          title={category ? t("ord.hallEmptyCategory") : t("ord.hallEmpty")}
          description={t("ord.hallEmptyHint")}
          action={
            <Button color="primary" shape="rounded" onClick={() => navigate("/orders/new")}>
              {t("ord.publish")}
            </Button>
          }
        />
      ) : (
        <>
          <ul className="ord-cards" data-testid="orders-hall-list">
            {items.map((o) => (
              <OrderCard
                key={o.order_id}
                order={o}
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
    <div className="page ord-page" data-testid="orders-hall">
      <PageHeader
        title={t("ord.hallTitle")}
        fallback="/tools"
        right={
          <button
            type="button"
            className="link-button"
            data-testid="orders-mine-link"
            onClick={() => navigate("/me/orders")}
          >
            {t("ord.mine")}
          </button>
        }
      />
      <div className="ord-hall-intro">{t("ord.hallIntro")}</div>
      <div className="ord-filter" data-testid="orders-category-filter">
        <CapsuleTabs activeKey={category ?? ALL} onChange={select}>
          <CapsuleTabs.Tab key={ALL} title={t("ord.catAll")} />
          {ORDER_CATEGORIES.map((c) => (
            <CapsuleTabs.Tab key={c} title={t(CATEGORY_LABEL[c])} />
          ))}
        </CapsuleTabs>
      </div>
      <PullToRefresh onRefresh={() => queryClient.invalidateQueries({ queryKey: ["orders", "list"] })}>
        {body}
      </PullToRefresh>
      <div className="ord-bar-spacer" />
      <div className="ord-bar">
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          data-testid="orders-publish"
          onClick={() => navigate("/orders/new")}
        >
          <AddOutline /> {t("ord.publish")}
        </Button>
        <SafeArea position="bottom" />
      </div>
    </div>
  );
}

function OrderCard({ order, now, onOpen }: { order: Order; now: number; onOpen: () => void }) {
  const { t, lang } = useI18n();
  return (
    <li>
      <button
        type="button"
        className="ord-card"
        data-testid="order-card"
        data-order-id={order.order_id}
        onClick={onOpen}
      >
        <div className="ord-card-head">
          <span className="ord-card-title" data-testid="order-card-title" data-user-content>
            {order.title}
          </span>
          <span className="ord-card-budget" data-testid="order-card-budget">
            <b>{formatCoins(order.budget_coins)}</b>
            <span>{t("ord.coinsUnit")}</span>
          </span>
        </div>
        <div className="ord-card-brief" data-user-content>
          {order.brief}
        </div>
        <div className="ord-card-meta">
          <span className={`ord-cat ord-cat-${order.category}`} data-testid="order-card-category">
            {t(CATEGORY_LABEL[order.category])}
          </span>
          <span className="ord-card-left" data-testid="order-card-left">
            <ClockCircleOutline /> {timeLeft(order.deadline_at, now, t)}
          </span>
          <span className="ord-card-count" data-testid="order-card-applications">
            <UserOutline /> {t("ord.applicationsCount", { count: order.applications_count })}
          </span>
        </div>
        <div className="ord-card-publisher">
          <Avatar src={order.publisher.avatar_url ?? ""} className="ord-avatar-xs" />
          <span data-user-content>{displayNickname(order.publisher.nickname, lang)}</span>
        </div>
      </button>
    </li>
  );
}
