import type { Order } from "@skyriff/contracts";
import { Steps } from "antd-mobile";
import {
  CheckCircleFill,
  ClockCircleFill,
  ClockCircleOutline,
  CloseCircleFill,
  ExclamationCircleFill,
} from "antd-mobile-icons";
import type { ReactNode } from "react";
import { type Lang, useI18n } from "../../i18n.tsx";
import { durationUntil, orderStep } from "../../orders.tsx";
import { formatDateTime } from "../../payments.tsx";
import { displayNickname } from "../../userDisplay.ts";

type T = ReturnType<typeof useI18n>["t"];
type StepStatus = "finish" | "error" | "process" | "wait";

const STEP_ICON: Record<StepStatus, ReactNode> = {
  finish: <CheckCircleFill />,
  error: <CloseCircleFill />,
  process: <ClockCircleFill />,
  wait: <span className="ord-step-wait" />,
};

/** 发布 → 选定 → 交付 → 验收, with the time of each step done; a cancelled order ends in 已取消. */
export function Timeline({ order }: { order: Order }) {
  const { t, lang } = useI18n();
  const { done, stopped } = orderStep(order);
  const time = (iso: string | null) => (iso ? formatDateTime(iso, lang).replace(/^\d{4}\//, "") : undefined);
  const steps = [
    { title: t("ord.stepPublish"), at: order.created_at },
    { title: t("ord.stepAward"), at: order.awarded_at },
    { title: t("ord.stepDeliver"), at: order.delivered_at },
    { title: t("ord.stepAccept"), at: order.finished_at },
  ];
  const shown = stopped
    ? [...steps.slice(0, done), { title: t("ord.stCancelled"), at: order.finished_at }]
    : steps;
  const statusOf = (i: number): StepStatus =>
    stopped && i === done ? "error" : i < done ? "finish" : i === done ? "process" : "wait";
  return (
    <section className="ord-section ord-steps" data-testid="order-steps">
      <Steps current={Math.min(done, shown.length - 1)}>
        {shown.map((s, i) => {
          const status = statusOf(i);
          return (
            <Steps.Step
              key={s.title}
              title={s.title}
              status={status}
              description={status === "finish" || status === "error" ? time(s.at) : undefined}
              icon={STEP_ICON[status]}
            />
          );
        })}
      </Steps>
    </section>
  );
}

/** What the order is waiting for, and by when. */
export function StatusNotice({ order, now }: { order: Order; now: number }) {
  const { t, lang } = useI18n();
  const notice = noticeOf(order, now, t, lang);
  if (!notice?.text) return null;
  return (
    <section className={`ord-notice ord-notice-${notice.tone}`} data-testid="order-notice">
      {notice.tone === "warn" ? <ExclamationCircleFill /> : <ClockCircleOutline />}
      <div>
        <div className="ord-notice-text" data-testid="order-notice-text">
          {notice.text}
        </div>
        {notice.sub && (
          // A cancel or dispute reason is the user's words; the automatic-acceptance line is the app's.
          <div className="ord-notice-sub" data-user-content={order.status === "delivered" ? undefined : true}>
            {notice.sub}
          </div>
        )}
      </div>
    </section>
  );
}

type Notice = { tone: "info" | "warn"; text: ReactNode; sub?: ReactNode };

function noticeOf(order: Order, now: number, t: T, lang: Lang): Notice | null {
  switch (order.status) {
    case "published":
      return { tone: "info", text: recruitingText(order, t) };
    case "awarded":
      return {
        tone: order.can_cancel_without_consent ? "warn" : "info",
        text: inProductionText(order, t, lang),
      };
    case "cancel_requested":
      return {
        tone: "warn",
        text: order.viewer_role === "awarded" ? t("ord.noticeCancelAsked") : t("ord.noticeCancelPending"),
        sub: order.cancel_reason ? t("ord.cancelReason", { reason: order.cancel_reason }) : null,
      };
    case "delivered":
      return deliveredNotice(order, now, t);
    case "disputed":
      return {
        tone: "warn",
        text: t("ord.noticeDisputed"),
        sub: order.dispute ? t("ord.disputeReason", { reason: order.dispute.reason }) : null,
      };
    default:
      return null;
  }
}

/** Published: the publisher is to pick a creator (or wait for one); an applicant waits to be picked. */
function recruitingText(order: Order, t: T): string | null {
  if (order.viewer_role === "publisher")
    return order.applications_count > 0
      ? t("ord.noticePickCreator", { count: order.applications_count })
      : t("ord.noticeWaitApplications");
  return order.viewer_role === "applicant" ? t("ord.noticeApplied") : null;
}

/** Awarded: the creator is to deliver by the deadline; past it, the publisher may cancel alone. */
function inProductionText(order: Order, t: T, lang: Lang): string | null {
  const deadline = formatDateTime(order.deadline_at, lang);
  const creator = order.awarded_creator ? displayNickname(order.awarded_creator.nickname, lang) : "";
  switch (order.viewer_role) {
    case "awarded":
      return t("ord.noticeDeliver", { time: deadline });
    case "publisher":
      return order.can_cancel_without_consent
        ? t("ord.noticeOverdue", { name: creator })
        : t("ord.noticeWaitDelivery", { name: creator, time: deadline });
    case "applicant":
      return t("ord.noticeNotSelected");
    default:
      return null;
  }
}

/** Delivered: the publisher is to accept (or dispute) before the automatic acceptance. */
function deliveredNotice(order: Order, now: number, t: T): Notice | null {
  const role = order.viewer_role;
  if (role !== "publisher" && role !== "awarded") return null;
  const left = order.auto_accept_at ? durationUntil(order.auto_accept_at, now, t) : null;
  return {
    tone: "info",
    text: role === "publisher" ? t("ord.noticeCheckDelivery") : t("ord.noticeDelivered"),
    sub: left && (
      <span data-testid="order-auto-accept">
        {t("ord.autoAcceptIn", { time: left })}
        {role === "publisher" ? ` · ${t("ord.disputeBefore")}` : ""}
      </span>
    ),
  };
}
