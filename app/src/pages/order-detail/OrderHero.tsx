import type { Order } from "@skyriff/contracts";
import { Avatar, Tag } from "antd-mobile";
import { CheckCircleFill, ClockCircleOutline, RightOutline } from "antd-mobile-icons";
import { useNavigate } from "react-router-dom";
import { useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { CATEGORY_LABEL, isFinished, STATUS_LOOK, timeLeft } from "../../orders.tsx";
import { formatDateTime } from "../../payments.tsx";
import { displayNickname } from "../../userDisplay.ts";
import type { PublishedState } from "../OrderCreate.tsx";

/** Right after 发布商单: what went into escrow and what is left to withdraw. */
export function PublishedBanner({ published }: { published: PublishedState["published"] }) {
  const { t } = useI18n();
  return (
    <div className="ord-banner" data-testid="order-published-banner">
      <CheckCircleFill />
      <span>
        {t("ord.publishedBanner", {
          budget: formatCoins(published.budget),
          available: formatCoins(published.coinsAvailable),
        })}
      </span>
    </div>
  );
}

/** The header card: category, status, title, budget, deadline, applications and the publisher. */
export function OrderHero({ order, now }: { order: Order; now: number }) {
  const { t, lang } = useI18n();
  const status = STATUS_LOOK[order.status];
  const recruiting = !isFinished(order) && order.status === "published";
  return (
    <section className="ord-hero">
      <div className="ord-hero-top">
        <span className={`ord-cat ord-cat-${order.category}`}>{t(CATEGORY_LABEL[order.category])}</span>
        <Tag color={status.color} fill="outline" data-testid="order-status">
          {t(status.label)}
        </Tag>
      </div>
      <h1 className="ord-hero-title" data-testid="order-title" data-user-content>
        {order.title}
      </h1>
      <div className="ord-hero-budget">
        <b data-testid="order-budget">{formatCoins(order.budget_coins)}</b>
        <span>{t("ord.coinsUnit")}</span>
      </div>
      <div className="ord-hero-meta">
        <span data-testid="order-deadline">
          <ClockCircleOutline /> {t("ord.deadlineAt", { time: formatDateTime(order.deadline_at, lang) })}
          {recruiting && <b className="ord-hero-left"> · {timeLeft(order.deadline_at, now, t)}</b>}
        </span>
        <span data-testid="order-applications-count">
          {t("ord.applicationsCount", { count: order.applications_count })}
        </span>
      </div>
      <PublisherLink order={order} />
    </section>
  );
}

function PublisherLink({ order }: { order: Order }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  return (
    <button
      type="button"
      className="ord-person"
      onClick={() => navigate(`/users/${encodeURIComponent(order.publisher.user_id)}`)}
    >
      <Avatar src={order.publisher.avatar_url ?? ""} className="ord-avatar-sm" />
      <span className="ord-person-role">{t("ord.publisher")}</span>
      <span className="ord-person-name" data-testid="order-publisher" data-user-content>
        {displayNickname(order.publisher.nickname, lang)}
      </span>
      <RightOutline className="ord-person-arrow" />
    </button>
  );
}
