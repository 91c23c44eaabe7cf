import type { Order, OrderApplication } from "@skyriff/contracts";
import { Avatar, Button, Tag } from "antd-mobile";
import type { ReactNode } from "react";
import { useNavigate } from "react-router-dom";
import { useI18n } from "../../i18n.tsx";
import { formatDateTime } from "../../payments.tsx";
import { displayNickname } from "../../userDisplay.ts";

/** The publisher's list of applications; while recruiting, each pending one has 选定. */
export function Applications({
  order,
  busy,
  onAward,
}: {
  order: Order;
  busy: string | null;
  onAward: (app: OrderApplication) => void;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const canAward = order.status === "published";
  const openUser = (userId: string) => navigate(`/users/${encodeURIComponent(userId)}`);
  return (
    <section className="ord-section" data-testid="order-applications">
      <div className="ord-section-title">
        {t("ord.applications")} <span className="muted">{order.applications.length}</span>
      </div>
      {order.applications.length === 0 ? (
        <div className="ord-empty-line" data-testid="order-applications-empty">
          {t("ord.applicationsEmpty")}
        </div>
      ) : (
        <ul className="ord-apps">
          {order.applications.map((app) => (
            <li key={app.application_id} data-testid="order-application" data-user-id={app.applicant.user_id}>
              <ApplicationRow
                app={app}
                onOpenUser={openUser}
                action={
                  canAward && app.status === "pending" ? (
                    <AwardButton app={app} busy={busy} onAward={onAward} />
                  ) : null
                }
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AwardButton({
  app,
  busy,
  onAward,
}: {
  app: OrderApplication;
  busy: string | null;
  onAward: (app: OrderApplication) => void;
}) {
  const { t } = useI18n();
  return (
    <Button
      size="small"
      color="primary"
      shape="rounded"
      data-testid="order-award"
      loading={busy === `award-${app.applicant.user_id}`}
      disabled={busy !== null}
      onClick={() => onAward(app)}
    >
      {t("ord.award")}
    </Button>
  );
}

const APP_STATUS = {
  pending: { label: "ord.appPending", color: "default" },
  awarded: { label: "ord.appAwarded", color: "success" },
  not_selected: { label: "ord.appNotSelected", color: "default" },
} as const;

/** One application: who, when, the proposal; `action` (选定) in place of its status tag. */
export function ApplicationRow({
  app,
  action,
  onOpenUser,
}: {
  app: OrderApplication;
  action?: ReactNode;
  onOpenUser?: (userId: string) => void;
}) {
  const { t, lang } = useI18n();
  const look = APP_STATUS[app.status];
  return (
    <div className={`ord-app ord-app-${app.status}`}>
      <div className="ord-app-head">
        <button
          type="button"
          className="ord-app-who"
          onClick={() => onOpenUser?.(app.applicant.user_id)}
          disabled={!onOpenUser}
        >
          <Avatar src={app.applicant.avatar_url ?? ""} className="ord-avatar-sm" />
          <span className="ord-app-name">
            <b data-testid="order-application-name" data-user-content>
              {displayNickname(app.applicant.nickname, lang)}
            </b>
            <span>{formatDateTime(app.created_at, lang)}</span>
          </span>
        </button>
        {action ?? (
          <Tag color={look.color} fill="outline" data-testid="order-application-status">
            {t(look.label)}
          </Tag>
        )}
      </div>
      <div className="ord-app-text" data-testid="order-application-text" data-user-content>
        {app.proposal_text}
      </div>
    </div>
  );
}
