import type { Notification } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Avatar, PullToRefresh } from "antd-mobile";
import { type ReactNode, useEffect, useRef } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { FirstPageState, PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { formatRelativeTime, useNow } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { useCursorPages } from "../paging.ts";
import { NOTIFICATION_ICON, notificationTarget } from "../rewards.tsx";

/**
 * `/me/messages` — 消息 (SPEC §9): tips received, tasks done, withdrawal results …, newest first. Opening
 * the page marks everything read (the dots of this visit stay until the list is reloaded); tapping one
 * opens what it is about.
 */
export function MessagesPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // The server writes title and body in the request's language: one list per language.
  const query = useCursorPages(["notifications", "list", lang], (cursor) => client.notifications(cursor), {
    staleTime: 0,
  });
  const marked = useRef(false);
  const now = useNow(true, 60_000);

  // Once the first page has been read, everything up to now is read.
  useEffect(() => {
    if (!query.isSuccess || marked.current) return;
    marked.current = true;
    client
      .markNotificationsRead()
      .then((res) => queryClient.setQueryData(["notifications", "unread"], res))
      .catch(() => {
        marked.current = false;
      });
  }, [query.isSuccess, queryClient]);

  let body: ReactNode = <FirstPageState query={query} />;
  if (query.isSuccess) {
    const items = query.data.pages.flatMap((p) => p.items);
    body =
      items.length === 0 ? (
        <EmptyState
          testId="messages-empty"
          illustration="generic"
          title={t("msg.empty")}
          description={t("msg.emptyHint")}
        />
      ) : (
        <>
          <ul className="msg-list" data-testid="messages-list">
            {items.map((n) => (
              <MessageRow
                key={n.notification_id}
                n={n}
                time={formatRelativeTime(n.created_at, lang, t("gen.justNow"), now)}
                onOpen={() => navigate(notificationTarget(n))}
              />
            ))}
          </ul>
          <PageFooter query={query} />
        </>
      );
  }

  return (
    <div className="page msg-page" data-testid="messages-page">
      <PageHeader title={t("msg.title")} fallback="/me" />
      <PullToRefresh
        onRefresh={async () => {
          await query.refetch();
          const res = await client.markNotificationsRead().catch(() => null);
          if (res) queryClient.setQueryData(["notifications", "unread"], res);
        }}
      >
        {body}
      </PullToRefresh>
    </div>
  );
}

function MessageRow({ n, time, onOpen }: { n: Notification; time: string; onOpen: () => void }) {
  const { t } = useI18n();
  const look = NOTIFICATION_ICON[n.kind] ?? { icon: null, tone: "blue" };
  const social =
    n.actor &&
    (n.kind === "tip_received" ||
      n.kind === "new_follower" ||
      n.kind === "work_remixed" ||
      n.kind === "prompt_unlocked");
  return (
    <li className="msg-item">
      <button
        type="button"
        className={`msg-row${n.read ? "" : " msg-row-unread"}`}
        data-testid="message-row"
        data-kind={n.kind}
        data-read={n.read ? "true" : "false"}
        onClick={onOpen}
      >
        <span className="msg-icon-wrap">
          {social ? (
            <>
              <Avatar src={n.actor?.avatar_url ?? ""} className="msg-avatar" />
              <span className={`msg-kind-badge msg-tone-${look.tone}`} aria-hidden>
                {look.icon}
              </span>
            </>
          ) : (
            <span className={`msg-icon msg-tone-${look.tone}`} aria-hidden>
              {look.icon}
            </span>
          )}
        </span>
        <span className="msg-main">
          <span className="msg-head">
            <b className="msg-title" data-testid="message-title">
              {n.title}
            </b>
            <span className="msg-time">{time}</span>
          </span>
          <span className="msg-body" data-testid="message-body" data-user-content>
            {n.body}
          </span>
        </span>
        {!n.read && (
          <span className="msg-dot" data-testid="message-unread" role="img" aria-label={t("msg.unread")} />
        )}
      </button>
    </li>
  );
}
