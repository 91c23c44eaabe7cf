import type { Payment } from "@skyriff/contracts";

import { Button, PullToRefresh, Tag } from "antd-mobile";
import type { ReactNode } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { FirstPageState, PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useCursorPages } from "../paging.ts";
import { formatCny, formatDateTime, PAY_CHANNEL_LABEL, paymentProductLabel } from "../payments.tsx";

const STATUS: Record<Payment["status"], { label: MessageKey; color: string }> = {
  pending: { label: "payments.statusPending", color: "warning" },
  paid: { label: "payments.statusPaid", color: "success" },
  failed: { label: "payments.statusFailed", color: "danger" },
  closed: { label: "payments.statusClosed", color: "default" },
};

/** `/me/payments` — 充值记录: every order of the user (packs, 月卡, 推广员), newest first. */
export function PaymentsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const query = useCursorPages(["payments"], (pageParam) => client.payments(pageParam));

  let body: ReactNode = <FirstPageState query={query} />;
  if (query.isSuccess) {
    const items = query.data.pages.flatMap((p) => p.items);
    body =
      items.length === 0 ? (
        <EmptyState
          testId="payments-empty"
          illustration="recharge"
          title={t("payments.empty")}
          description={t("payments.emptyHint")}
          action={
            <Button color="primary" shape="rounded" onClick={() => navigate("/me/recharge")}>
              {t("payments.goRecharge")}
            </Button>
          }
        />
      ) : (
        <PullToRefresh onRefresh={async () => void (await query.refetch())}>
          <ul className="pay-orders" data-testid="payments-list">
            {items.map((p) => {
              const status = STATUS[p.status] ?? STATUS.closed;
              const settling = p.status === "paid" && !p.fulfilled;
              return (
                <li key={p.payment_id} className="pay-order-item">
                  <button
                    type="button"
                    className="pay-order"
                    data-testid="payment-row"
                    data-status={p.status}
                    onClick={() => navigate(`/pay/result/${encodeURIComponent(p.payment_id)}`)}
                  >
                    <div className="pay-order-main">
                      <div className="pay-order-name">{paymentProductLabel(p, t)}</div>
                      <div className="pay-order-meta">
                        {formatDateTime(p.created_at, lang)} · {t(PAY_CHANNEL_LABEL[p.pay_channel])}
                      </div>
                    </div>
                    <div className="pay-order-side">
                      <div className="pay-order-amount">{formatCny(p.amount_cny)}</div>
                      <Tag color={settling ? "primary" : status.color} fill="outline">
                        {settling ? t("payments.statusSettling") : t(status.label)}
                      </Tag>
                    </div>
                  </button>
                </li>
              );
            })}
          </ul>
          <PageFooter query={query} />
        </PullToRefresh>
      );
  }

  return (
    <div className="page payments-page">
      <PageHeader title={t("payments.title")} fallback="/me/recharge" />
      {body}
    </div>
  );
}
