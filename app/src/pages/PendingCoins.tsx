import type { PendingLot } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, DotLoading, List, PullToRefresh } from "antd-mobile";
import { EditSOutline, GiftOutline, LockOutline, PayCircleOutline } from "antd-mobile-icons";
import type { ReactNode } from "react";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/community.css";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCoins } from "../money.ts";

/** Coins with all three decimals ("0.450"): pending lots are small and exact. */
export function formatCoins3(value: string, sign = false): string {
  const two = formatCoins(value, { keepExact: true, sign });
  // keepExact keeps a non-zero third decimal; pad the others to three.
  return /\.\d{2}$/.test(two) ? `${two}0` : two;
}

const SOURCE: Record<PendingLot["source"], { label: MessageKey; icon: ReactNode; className: string }> = {
  tip: { label: "pending.sourceTip", icon: <GiftOutline />, className: "" },
  prompt: { label: "pending.sourcePrompt", icon: <LockOutline />, className: "pending-source-prompt" },
  remix: { label: "pending.sourceRemix", icon: <EditSOutline />, className: "pending-source-remix" },
  order: { label: "pending.sourceOrder", icon: <PayCircleOutline />, className: "" },
  commission: { label: "pending.sourceCommission", icon: <PayCircleOutline />, className: "" },
  other: { label: "pending.sourceOther", icon: <PayCircleOutline />, className: "" },
};

/** "12月8日 解冻" / "Unlocks Dec 8" (the time to the minute as a tooltip). */
function unlockText(iso: string, lang: "zh-CN" | "en", t: ReturnType<typeof useI18n>["t"]) {
  const at = new Date(iso);
  const date = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric" }).format(at);
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hour12: false }).format(
    at,
  );
  return { date: t("pending.unlocksOn", { date }), time };
}

/** `/me/pending-coins` — 金币·冻结中: each lot's amount, unlock date, source and payer. */
export function PendingCoinsPage() {
  const { t, lang } = useI18n();
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
  const w = wallets.data;
  const lots = w?.coins.pending_details ?? [];

  return (
    <div className="page" data-testid="pending-page">
      <PageHeader title={t("pending.title")} fallback="/me" />
      <PullToRefresh onRefresh={async () => void (await wallets.refetch())}>
        <section className="pending-summary">
          <div className="pending-summary-label">{t("pending.total")}</div>
          <div className="pending-summary-value" data-testid="pending-total">
            {w ? formatCoins3(w.coins.pending) : "—"}
          </div>
          <div className="pending-summary-hint">{t("pending.hint")}</div>
        </section>
        {wallets.isPending ? (
          <div className="center-block muted">
            {t("common.loading")}
            <DotLoading />
          </div>
        ) : wallets.isError ? (
          <div className="center-block">
            <Button size="small" onClick={() => void wallets.refetch()}>
              {t("common.loadFailedRetry")}
            </Button>
          </div>
        ) : lots.length === 0 ? (
          <EmptyState
            testId="pending-empty"
            illustration="ledger"
            title={t("pending.empty")}
            description={t("pending.emptyHint")}
          />
        ) : (
          <List header={t("pending.lots", { count: lots.length })}>
            {lots.map((lot) => {
              const source = SOURCE[lot.source] ?? SOURCE.other;
              const when = unlockText(lot.unlock_at, lang, t);
              return (
                <List.Item key={lot.lot_id} data-testid="pending-lot" data-source={lot.source}>
                  <div className="pending-lot">
                    <span className={`pending-source ${source.className}`} aria-hidden>
                      {source.icon}
                    </span>
                    <div className="pending-lot-main">
                      <div className="pending-lot-title" data-testid="pending-lot-source">
                        {t(source.label)}
                      </div>
                      <div className="pending-lot-sub" data-testid="pending-lot-payer" data-user-content>
                        {lot.source_user
                          ? t("pending.from", { name: lot.source_user.nickname })
                          : t("pending.fromPlatform")}
                      </div>
                    </div>
                    <div className="pending-lot-side">
                      <div className="pending-lot-amount" data-testid="pending-lot-amount">
                        +{formatCoins3(lot.amount)}
                      </div>
                      <div
                        className="pending-lot-unlock"
                        data-testid="pending-lot-unlock"
                        data-unlock-at={lot.unlock_at}
                      >
                        <span title={when.time}>{when.date}</span>
                      </div>
                    </div>
                  </div>
                </List.Item>
              );
            })}
          </List>
        )}
      </PullToRefresh>
    </div>
  );
}
