import type { Order } from "@skyriff/contracts";
import { Avatar } from "antd-mobile";
import { PlayOutline, RightOutline } from "antd-mobile-icons";
import { useNavigate } from "react-router-dom";
import { useI18n } from "../../i18n.tsx";
import { formatDateTime } from "../../payments.tsx";
import { displayNickname } from "../../userDisplay.ts";
import { ApplicationRow } from "./Applications.tsx";

/* The plain sections of 商单详情: the brief, the chosen creator, the delivered work, my application. */

export function OrderBrief({ order }: { order: Order }) {
  const { t } = useI18n();
  return (
    <section className="ord-section">
      <div className="ord-section-title">{t("ord.brief")}</div>
      <div className="ord-brief" data-testid="order-brief" data-user-content>
        {order.brief}
      </div>
    </section>
  );
}

/** 选定的创作者, opening the creator's profile. */
export function AwardedCreator({
  creator,
  awardedAt,
}: {
  creator: NonNullable<Order["awarded_creator"]>;
  awardedAt: string | null;
}) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  return (
    <section className="ord-section" data-testid="order-awarded">
      <div className="ord-section-title">{t("ord.awardedCreator")}</div>
      <button
        type="button"
        className="ord-person ord-person-plain"
        onClick={() => navigate(`/users/${encodeURIComponent(creator.user_id)}`)}
      >
        <Avatar src={creator.avatar_url ?? ""} className="ord-avatar-sm" />
        <span className="ord-person-name" data-testid="order-awarded-name" data-user-content>
          {displayNickname(creator.nickname, lang)}
        </span>
        {awardedAt && (
          <span className="ord-person-time">
            {t("ord.awardedAt", { time: formatDateTime(awardedAt, lang) })}
          </span>
        )}
        <RightOutline className="ord-person-arrow" />
      </button>
    </section>
  );
}

/** 交付的作品, opening it in the player. */
export function DeliveredWork({
  work,
  deliveredAt,
}: {
  work: NonNullable<Order["delivered_work"]>;
  deliveredAt: string | null;
}) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  return (
    <section className="ord-section">
      <div className="ord-section-title">{t("ord.deliveredWork")}</div>
      <button
        type="button"
        className="ord-work"
        data-testid="order-delivered-work"
        data-work-id={work.work_id}
        onClick={() => navigate(`/play/${encodeURIComponent(work.work_id)}`)}
      >
        <span className="ord-work-cover">
          {work.cover_url && <img src={work.cover_url} alt="" />}
          <PlayOutline className="ord-work-play" />
        </span>
        <span className="ord-work-main">
          <b data-user-content>{work.title}</b>
          {deliveredAt && <span>{t("ord.deliveredAt", { time: formatDateTime(deliveredAt, lang) })}</span>}
          <span className="ord-work-go">
            {t("ord.watchWork")} <RightOutline />
          </span>
        </span>
      </button>
    </section>
  );
}

/** An applicant's (or the chosen creator's) own application and how it went. */
export function MyApplication({ order }: { order: Order }) {
  const { t } = useI18n();
  const mine = order.applications[0];
  if (!mine) return null;
  return (
    <section className="ord-section" data-testid="order-my-application">
      <div className="ord-section-title">{t("ord.myApplication")}</div>
      <ApplicationRow app={mine} />
    </section>
  );
}
