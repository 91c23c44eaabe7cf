import { useQuery } from "@tanstack/react-query";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

/** Payments arrive in Phase 3; until then this page says so plainly. */
export function RechargePage() {
  const { t } = useI18n();
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  return (
    <div className="page recharge-page">
      <PageHeader title={t("recharge.title")} fallback="/me" />
      {wallets.data && (
        <div className="tasks-balance" data-testid="recharge-balance">
          {t("recharge.balance", { balance: formatCredits(wallets.data.credits.balance) })}
        </div>
      )}
      <EmptyState
        testId="recharge-coming-soon"
        title={t("recharge.comingSoon")}
        description={t("recharge.comingSoonDesc")}
      />
    </div>
  );
}
