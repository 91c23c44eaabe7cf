import type { Order } from "@skyriff/contracts";
import { useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { useOrderTerms, useWallets } from "../../orders.tsx";
import { ConfirmRow } from "../OrderCreate.tsx";

/** 费用说明: the escrowed budget, the creator's share, the platform's fee; the publisher's coins left. */
export function OrderMoney({ order }: { order: Order }) {
  const { t } = useI18n();
  const { feePercent, freezeDays } = useOrderTerms();
  const coins = (value: string) => t("ord.coinsAmount", { coins: formatCoins(value) });
  return (
    <section className="ord-section" data-testid="order-money">
      <div className="ord-section-title">{t("ord.moneyTitle")}</div>
      <dl className="ord-money">
        <ConfirmRow label={t("ord.budgetEscrowed")} value={coins(order.budget_coins)} />
        <ConfirmRow
          label={t("ord.creatorGets")}
          value={<span data-testid="order-payout">{coins(order.payout_coins)}</span>}
        />
        <ConfirmRow
          label={t("ord.fee", { percent: feePercent })}
          value={<span data-testid="order-fee">{coins(order.fee_coins)}</span>}
        />
        {order.viewer_role === "publisher" && <PublisherAvailableRow />}
      </dl>
      <div className="ord-money-note">{t("ord.moneyNote", { days: freezeDays })}</div>
    </section>
  );
}

function PublisherAvailableRow() {
  const { t } = useI18n();
  const wallets = useWallets();
  return (
    <ConfirmRow
      label={t("ord.myAvailable")}
      value={
        <b data-testid="order-publisher-available">
          {wallets.data ? formatCoins(wallets.data.coins.available) : "—"}
        </b>
      }
    />
  );
}
