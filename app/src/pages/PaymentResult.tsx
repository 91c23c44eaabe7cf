import type { Payment } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, SpinLoading } from "antd-mobile";
import { CheckCircleFill, ClockCircleFill, CloseCircleFill } from "antd-mobile-icons";
import { useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { ApiError, client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { hasDraft } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits } from "../money.ts";
import {
  formatCny,
  formatDateTime,
  formatDay,
  invalidateAfterPayment,
  PAY_CHANNEL_LABEL,
  paymentProductLabel,
  returnToOf,
  useStartPayment,
} from "../payments.tsx";

/** How long the page polls before it says the result is late (a lost callback is picked up by a job). */
const POLL_FOR_MS = 2 * 60_000;
const POLL_EVERY_MS = 1000;

type View = "success" | "failed" | "pending";

function viewOf(p: Payment): View {
  if (p.status === "paid" && p.fulfilled) return "success";
  if (p.status === "failed" || p.status === "closed") return "failed";
  // Pending, or paid and being fulfilled: both are a short wait.
  return "pending";
}

/** `/pay/result/:id` — where the gateway's page sends the browser back: polls the order until it settles. */
export function PaymentResultPage() {
  const { id = "" } = useParams();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [since, setSince] = useState(() => Date.now());
  const [late, setLate] = useState(false);

  const payment = useQuery({
    queryKey: ["payment", id],
    queryFn: () => client.payment(id),
    staleTime: 0,
    refetchInterval: (q) => {
      const p = q.state.data;
      if (p && viewOf(p) !== "pending") return false;
      return Date.now() - since < POLL_FOR_MS ? POLL_EVERY_MS : false;
    },
  });
  const p = payment.data;
  const view = p ? viewOf(p) : null;

  // Past two minutes without a result: say so, and offer a manual refresh.
  useEffect(() => {
    if (view !== "pending") return;
    const left = POLL_FOR_MS - (Date.now() - since);
    const timer = window.setTimeout(() => setLate(true), Math.max(0, left));
    return () => window.clearTimeout(timer);
  }, [view, since]);

  // Once fulfilled, everything the purchase changed is fetched again (balance, 月卡, 推广中心, ledger).
  const refreshed = useRef(false);
  useEffect(() => {
    if (view === "success" && !refreshed.current) {
      refreshed.current = true;
      void invalidateAfterPayment(queryClient);
    }
  }, [view, queryClient]);

  const wallets = useQuery({
    queryKey: ["wallets"],
    queryFn: () => client.wallets(),
    enabled: view === "success",
    staleTime: 0,
  });
  const subscription = useQuery({
    queryKey: ["subscription"],
    queryFn: () => client.subscription(),
    enabled: view === "success" && p?.product_type === "subscription_monthly",
    staleTime: 0,
  });

  const start = useStartPayment();
  const [retrying, setRetrying] = useState(false);
  const [draftKept] = useState(hasDraft);
  const returnTo = returnToOf(id, p?.product_type);
  const done = () => navigate(returnTo, { replace: true });

  const payAgain = async () => {
    if (!p) return;
    setRetrying(true);
    const body = { pay_channel: p.pay_channel, client: "h5" as const };
    const left = await start((key) => {
      if (p.product_type === "subscription_monthly") return client.buySubscription(body, key);
      if (p.product_type === "promoter_activation") return client.activatePromoter(body, key);
      if (p.product_type === "coins_pack")
        return client.createCoinsPayment({ ...body, product_id: p.product_id }, key);
      return client.createPayment({ ...body, product_id: p.product_id }, key);
    }, returnTo);
    if (!left) setRetrying(false);
  };

  const refresh = () => {
    setLate(false);
    setSince(Date.now());
    void payment.refetch();
  };

  const header = <PageHeader title={t("payResult.title")} fallback={returnTo} />;

  if (payment.isPending) {
    return (
      <div className="page pay-result-page">
        {header}
        <div className="pay-result" data-testid="pay-result" data-state="loading">
          <SpinLoading color="primary" style={{ "--size": "48px" }} />
        </div>
      </div>
    );
  }
  if (payment.isError || !p) {
    const missing = payment.error instanceof ApiError && payment.error.status === 404;
    return (
      <div className="page pay-result-page">
        {header}
        <EmptyState
          testId="pay-result-missing"
          title={missing ? t("payResult.notFound") : t("common.loadFailedRetry")}
          action={
            missing ? (
              <Button shape="rounded" onClick={done}>
                {t("payResult.done")}
              </Button>
            ) : (
              <Button shape="rounded" onClick={() => void payment.refetch()}>
                {t("common.retry")}
              </Button>
            )
          }
        />
      </div>
    );
  }

  const product = paymentProductLabel(p, t);
  const sub = subscription.data?.active_subscription;

  return (
    <div className="page pay-result-page">
      {header}
      <section className="pay-result" data-testid="pay-result" data-state={view}>
        {view === "success" ? (
          <CheckCircleFill className="pay-result-icon pay-result-icon-success" />
        ) : view === "failed" ? (
          <CloseCircleFill className="pay-result-icon pay-result-icon-failed" />
        ) : late ? (
          <ClockCircleFill className="pay-result-icon pay-result-icon-late" />
        ) : (
          <SpinLoading color="primary" className="pay-result-spin" style={{ "--size": "56px" }} />
        )}

        <h1 className="pay-result-title" data-testid="pay-result-title">
          {view === "success"
            ? t("payResult.success")
            : view === "failed"
              ? t("payResult.failed")
              : late
                ? t("payResult.late")
                : t("payResult.waiting")}
        </h1>

        {view === "success" && (
          <>
            <div className="pay-result-granted" data-testid="pay-result-granted">
              {p.product_type === "subscription_monthly"
                ? t("payResult.subscriptionDone")
                : p.product_type === "promoter_activation"
                  ? t("payResult.promoterDone", { credits: formatCredits(p.credits_amount) })
                  : p.product_type === "coins_pack"
                    ? t("payResult.coinsArrived", { coins: formatCoins(p.coins_amount) })
                    : t("payResult.creditsArrived", { credits: formatCredits(p.credits_amount) })}
            </div>
            {p.product_type === "subscription_monthly" && sub && (
              <div className="pay-result-sub" data-testid="pay-result-subscription">
                {t("payResult.subscriptionUntil", {
                  date: formatDay(sub.end_at, lang),
                  credits: formatCredits(sub.daily_credits),
                })}
              </div>
            )}
            {p.product_type === "coins_pack" && (
              <div className="pay-result-sub" data-testid="pay-result-coins-balance">
                {t("payResult.coinsBalance", {
                  balance: wallets.data ? formatCoins(wallets.data.coins.available) : "—",
                })}
              </div>
            )}
            {p.credits_amount > 0 && (
              <div className="pay-result-sub" data-testid="pay-result-balance">
                {t("payResult.balance", {
                  balance: wallets.data ? formatCredits(wallets.data.credits.balance) : "—",
                })}
              </div>
            )}
          </>
        )}
        {view === "failed" && <div className="pay-result-sub">{t("payResult.failedHint")}</div>}
        {view === "pending" && (
          <div className="pay-result-sub">{late ? t("payResult.lateHint") : t("payResult.waitingHint")}</div>
        )}

        <dl className="pay-result-details">
          <div>
            <dt>{t("payResult.product")}</dt>
            <dd data-testid="pay-result-product">{product}</dd>
          </div>
          <div>
            <dt>{t("payResult.amount")}</dt>
            <dd data-testid="pay-result-amount">{formatCny(p.amount_cny)}</dd>
          </div>
          <div>
            <dt>{t("payResult.channel")}</dt>
            <dd>{t(PAY_CHANNEL_LABEL[p.pay_channel])}</dd>
          </div>
          <div>
            <dt>{p.paid_at ? t("payResult.paidAt") : t("payResult.createdAt")}</dt>
            <dd>{formatDateTime(p.paid_at ?? p.created_at, lang)}</dd>
          </div>
        </dl>

        <div className="pay-result-actions">
          {view === "failed" && (
            <Button
              block
              color="primary"
              shape="rounded"
              size="large"
              loading={retrying}
              disabled={retrying}
              data-testid="pay-result-retry"
              onClick={() => void payAgain()}
            >
              {t("payResult.retry")}
            </Button>
          )}
          {view === "pending" && late && (
            <Button block color="primary" shape="rounded" size="large" onClick={refresh}>
              {t("payResult.refresh")}
            </Button>
          )}
          {view === "success" && draftKept && (
            <Button
              block
              color="primary"
              shape="rounded"
              size="large"
              data-testid="pay-result-back-to-create"
              onClick={() => navigate("/create", { replace: true })}
            >
              {t("recharge.backToCreate")}
            </Button>
          )}
          <Button
            block
            shape="rounded"
            size="large"
            color={view === "success" && !draftKept ? "primary" : "default"}
            data-testid="pay-result-done"
            onClick={done}
          >
            {view === "success" && returnTo.startsWith("/orders")
              ? t("payResult.backToOrder")
              : t("payResult.done")}
          </Button>
          {view === "pending" && late && (
            <Button
              block
              fill="none"
              loading={retrying}
              disabled={retrying}
              data-testid="pay-result-retry"
              onClick={() => void payAgain()}
            >
              {t("payResult.retry")}
            </Button>
          )}
        </div>
      </section>
    </div>
  );
}
