import type { Product } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, DotLoading, SafeArea } from "antd-mobile";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/generation-loop.css";
import { hasDraft, useConfig } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";
import {
  FALLBACK_ECONOMY,
  formatCny,
  PayChannelList,
  useChosenChannel,
  usePayChannels,
  useStartPayment,
} from "../payments.tsx";

/** `/me/recharge` — 充值: the balance, the credit packs, the channel, 立即支付 → the gateway's cashier. */
export function RechargePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  const config = useConfig();
  const products = useQuery({
    queryKey: ["products", "credits_pack"],
    queryFn: () => client.products("credits_pack"),
    staleTime: 5 * 60_000,
  });
  const packs = products.data?.items ?? [];
  const { channels, loading: channelsLoading } = usePayChannels();
  const [channel, setChannel] = useChosenChannel(channels);
  const [selected, setSelected] = useState<string | null>(null);
  const start = useStartPayment();
  const [busy, setBusy] = useState(false);
  // Sent here by 积分不足 from 创作: the form is kept, and the way back is one tap.
  const [draftKept] = useState(hasDraft);
  const backToCreate = () => navigate("/create");

  useEffect(() => {
    if (packs.length > 0 && (selected === null || !packs.some((p) => p.product_id === selected))) {
      setSelected(packs[0]!.product_id);
    }
  }, [packs, selected]);

  const pack = packs.find((p) => p.product_id === selected) ?? null;
  const rate = config.data?.credits_per_cny ?? FALLBACK_ECONOMY.creditsPerCny;

  const pay = async () => {
    if (!pack || !channel) return;
    setBusy(true);
    const left = await start(
      (key) => client.createPayment({ product_id: pack.product_id, pay_channel: channel, client: "h5" }, key),
      "/me",
    );
    if (!left) setBusy(false);
  };

  return (
    <div className="page recharge-page">
      <PageHeader
        title={t("recharge.title")}
        fallback="/me"
        right={
          <button
            type="button"
            className="link-button"
            data-testid="recharge-history"
            onClick={() => navigate("/me/payments")}
          >
            {t("recharge.history")}
          </button>
        }
      />
      <section className="recharge-balance">
        <div className="recharge-balance-label">{t("recharge.balanceLabel")}</div>
        <div className="recharge-balance-value" data-testid="recharge-balance">
          {wallets.data ? formatCredits(wallets.data.credits.balance) : "—"}
        </div>
      </section>
      {draftKept && (
        <div className="gl-draft-kept" data-testid="recharge-draft-kept">
          <span>{t("recharge.draftKept")}</span>
          <Button size="small" shape="rounded" onClick={backToCreate} data-testid="recharge-back-to-create">
            {t("recharge.backToCreate")}
          </Button>
        </div>
      )}

      {products.isPending ? (
        <div className="center-block muted">
          {t("common.loading")}
          <DotLoading />
        </div>
      ) : products.isError ? (
        <div className="center-block">
          <Button size="small" onClick={() => void products.refetch()}>
            {t("common.loadFailedRetry")}
          </Button>
        </div>
      ) : packs.length === 0 ? (
        <EmptyState testId="recharge-no-packs" illustration="recharge" title={t("recharge.noPacks")} />
      ) : (
        <>
          <section className="pay-section">
            <div className="pay-section-title">{t("recharge.packs")}</div>
            <div
              className="recharge-packs"
              role="radiogroup"
              aria-label={t("recharge.packs")}
              data-testid="recharge-packs"
            >
              {packs.map((p) => (
                <PackTile
                  key={p.product_id}
                  pack={p}
                  selected={p.product_id === selected}
                  onSelect={() => setSelected(p.product_id)}
                />
              ))}
            </div>
            <div className="recharge-rate">{t("recharge.rate", { rate: formatCredits(rate) })}</div>
          </section>

          <section className="pay-section">
            <div className="pay-section-title">{t("recharge.channel")}</div>
            {channels.length > 0 ? (
              <PayChannelList channels={channels} value={channel} onChange={setChannel} />
            ) : channelsLoading ? null : (
              <div className="pay-no-channels" data-testid="recharge-no-channels">
                <b>{t("recharge.noChannels")}</b>
                <span>{t("recharge.noChannelsHint")}</span>
              </div>
            )}
          </section>

          <div className="recharge-bar-spacer" />
          <div className="recharge-bar">
            <div className="recharge-bar-total">
              <span>{t("recharge.total")}</span>
              <b data-testid="recharge-total">{pack ? formatCny(pack.price_cny) : "—"}</b>
              {pack && (
                <span className="recharge-bar-credits">
                  {t("recharge.getCredits", { credits: formatCredits(pack.credits_amount) })}
                </span>
              )}
            </div>
            <Button
              color="primary"
              shape="rounded"
              className="recharge-pay"
              data-testid="recharge-pay"
              loading={busy}
              disabled={busy || !pack || !channel}
              onClick={() => void pay()}
            >
              {t("recharge.pay")}
            </Button>
            <SafeArea position="bottom" />
          </div>
        </>
      )}
    </div>
  );
}

function PackTile({ pack, selected, onSelect }: { pack: Product; selected: boolean; onSelect: () => void }) {
  const { t } = useI18n();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a pack tile is a large tappable card, not a native radio
    <button
      type="button"
      role="radio"
      aria-checked={selected}
      className={`recharge-pack${selected ? " recharge-pack-on" : ""}`}
      data-testid={`pack-${pack.product_id}`}
      onClick={onSelect}
    >
      <span className="recharge-pack-credits">
        <b className="recharge-pack-num">{formatCredits(pack.credits_amount)}</b>
        <span>{t("recharge.creditsUnit")}</span>
      </span>
      <span className="recharge-pack-price">{formatCny(pack.price_cny, { short: true })}</span>
    </button>
  );
}
