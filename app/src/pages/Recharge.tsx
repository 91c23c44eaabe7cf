import { useQuery } from "@tanstack/react-query";
import { Button } from "antd-mobile";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/generation-loop.css";
import { hasDraft } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

/** Payments arrive in Phase 3; until then this page says so plainly. */
export function RechargePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  // Sent here by 积分不足 from 创作: the form is kept, and the way back is one tap.
  const [draftKept] = useState(hasDraft);
  const backToCreate = () => navigate("/create");
  return (
    <div className="page recharge-page">
      <PageHeader title={t("recharge.title")} fallback="/me" />
      {wallets.data && (
        <div className="tasks-balance" data-testid="recharge-balance">
          {t("recharge.balance", { balance: formatCredits(wallets.data.credits.balance) })}
        </div>
      )}
      {draftKept && (
        <div className="gl-draft-kept" data-testid="recharge-draft-kept">
          <span>{t("recharge.draftKept")}</span>
          <Button size="small" shape="rounded" onClick={backToCreate} data-testid="recharge-back-to-create">
            {t("recharge.backToCreate")}
          </Button>
        </div>
      )}
      <EmptyState
        testId="recharge-coming-soon"
        illustration="recharge"
        title={t("recharge.comingSoon")}
        description={t("recharge.comingSoonDesc")}
      />
    </div>
  );
}
