import type { LedgerEntry } from "@skyriff/contracts";
// A subpath, not the package index: the index pulls zod in, whose eval probe the app's CSP reports.
import { ledgerDescriptionIn, ledgerTypeLabel } from "@skyriff/contracts/ledger-labels";

import { Button, DotLoading, PullToRefresh, Tabs } from "antd-mobile";
import { useSearchParams } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { type Lang, useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits } from "../money.ts";
import { useCursorPages } from "../paging.ts";

type WalletType = "credits" | "coins";

export function LedgerPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const type: WalletType = params.get("type") === "coins" ? "coins" : "credits";

  return (
    <div className="page ledger-page">
      <PageHeader title={t("ledger.title")} fallback="/me" />
      <Tabs
        activeKey={type}
        onChange={(key) => setParams(key === "coins" ? { type: "coins" } : {}, { replace: true })}
      >
        <Tabs.Tab title={t("ledger.credits")} key="credits" />
        <Tabs.Tab title={t("ledger.coins")} key="coins" />
      </Tabs>
      <LedgerList key={type} type={type} />
    </div>
  );
}

function LedgerList({ type }: { type: WalletType }) {
  const { t, lang } = useI18n();
  const query = useCursorPages(["ledger", type], (pageParam) => client.ledgers(type, pageParam ?? undefined));

  if (query.isPending) {
    return (
      <div className="center-block muted">
        {t("ledger.loading")}
        <DotLoading />
      </div>
    );
  }
  if (query.isError) {
    return (
      <div className="center-block">
        <Button size="small" onClick={() => void query.refetch()}>
          {t("ledger.retry")}
        </Button>
      </div>
    );
  }

  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <EmptyState
        testId="ledger-empty"
        illustration="ledger"
        title={t("ledger.empty")}
        description={type === "coins" ? t("ledger.emptyCoinsHint") : t("ledger.emptyCreditsHint")}
      />
    );
  }

  return (
    <PullToRefresh
      onRefresh={async () => {
        await query.refetch();
      }}
    >
      <ul className="ledger-list" data-testid="ledger-list">
        {items.map((entry) => (
          <LedgerRow key={entry.ledger_id} entry={entry} lang={lang} />
        ))}
      </ul>
      <PageFooter
        query={query}
        labels={{ retry: t("ledger.retry"), loading: t("ledger.loading"), noMore: t("ledger.noMore") }}
      />
    </PullToRefresh>
  );
}

function formatTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(d);
}

function LedgerRow({ entry, lang }: { entry: LedgerEntry; lang: Lang }) {
  const { t } = useI18n();
  const isCredits = entry.wallet === "credits";
  const amount = isCredits
    ? formatCredits(entry.amount, { sign: true })
    : formatCoins(entry.amount, { sign: true, keepExact: true });
  const balance = isCredits ? formatCredits(entry.balance_after) : formatCoins(entry.balance_after);
  const negative = String(entry.amount).trim().startsWith("-");
  const label = ledgerTypeLabel(entry.type, lang);
  // Descriptions are written by the server in Chinese: in English only the known ones are translated.
  const described = ledgerDescriptionIn(entry.description, lang);
  const note = described && described !== label ? described : null;

  return (
    <li className="ledger-row" data-testid="ledger-row" data-type={entry.type}>
      <div className="ledger-main">
        <div className="ledger-label" data-testid="ledger-label">
          {label}
          {!isCredits && (
            <span className="ledger-wallet">
              {entry.wallet === "coins_pending" ? t("ledger.walletPending") : t("ledger.walletAvailable")}
            </span>
          )}
        </div>
        {note && <div className="ledger-note">{note}</div>}
        <div className="ledger-time">
          {formatTime(entry.created_at, lang)}
          {entry.status === "pending" && entry.unlock_at && (
            <span className="ledger-pending">
              {" · "}
              {t("ledger.pendingUntil", { time: formatTime(entry.unlock_at, lang) })}
            </span>
          )}
        </div>
      </div>
      <div className="ledger-side">
        <div className={negative ? "ledger-amount out" : "ledger-amount in"} data-testid="ledger-amount">
          {amount}
        </div>
        <div className="ledger-balance" data-testid="ledger-balance">
          {t("ledger.balanceAfter", { balance })}
        </div>
      </div>
    </li>
  );
}
