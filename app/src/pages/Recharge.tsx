import type { Product } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, DotLoading, SafeArea, Tabs } from "antd-mobile";
import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/generation-loop.css";
import "../components/orders.css";
import { hasDraft, useConfig } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits } from "../money.ts";
import {
  FALLBACK_ECONOMY,
  formatCny,
  PayChannelList,
  safeReturnPath,
  useChosenChannel,
  usePayChannels,
  useStartPayment,
} from "../payments.tsx";

type Kind = "credits" | "coins";

/**
 * `/me/recharge` — 充值: the balance, the packs, the channel, 立即支付 → the gateway's cashier. Two
 * kinds: 积分 (credit packs, the default) and 金币 (`?type=coins`: coins packs for order publishers,
 * available at once); `from` is where 完成 on the result page leads (发布商单 sends its own path).
 */
export function RechargePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const kind: Kind = params.get("type") === "coins" ? "coins" : "credits";
  const from = safeReturnPath(params.get("from"));
  const setKind = (k: string) =>
    setParams({ ...(k === "coins" ? { type: "coins" } : {}), ...(from ? { from } : {}) }, { replace: true });
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
  const config = useConfig();
  const productType = kind === "coins" ? "coins_pack" : "credits_pack";
  const products = useQuery({
    queryKey: ["products", productType],
    queryFn: () => client.products(productType),
    staleTime: 5 * 60_000,
  });
  const packs = products.data?.items ?? [];
  const { channels, loading: channelsLoading } = usePayChannels();
  const [channel, setChannel] = useChosenChannel(channels);
  const [selected, setSelected] = useState<string | null>(null);
  const start = useStartPayment();
  const [busy, setBusy] = useState(false);
  // Sent here by 积分不足 from 创作 (or 去充值金币 from 发布商单): the form is kept, and the way back is one tap.
  const [draftKept] = useState(hasDraft);
  const backToCreate = () => navigate("/create");
  const backToOrder = from?.startsWith("/orders") ? from : null;

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
    const body = { product_id: pack.product_id, pay_channel: channel, client: "h5" as const };
    const left = await start(
      (key) => (kind === "coins" ? client.createCoinsPayment(body, key) : client.createPayment(body, key)),
      from ?? "/me",
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
      <Tabs activeKey={kind} onChange={setKind} className="recharge-kinds">
        <Tabs.Tab
          key="credits"
          title={<span data-testid="recharge-tab-credits">{t("recharge.tabCredits")}</span>}
        />
        <Tabs.Tab
          key="coins"
          title={<span data-testid="recharge-tab-coins">{t("recharge.tabCoins")}</span>}
        />
      </Tabs>
      <section className={`recharge-balance${kind === "coins" ? " recharge-balance-coins" : ""}`}>
        <div className="recharge-balance-label">
          {kind === "coins" ? t("recharge.coinsBalanceLabel") : t("recharge.balanceLabel")}
        </div>
        <div className="recharge-balance-value" data-testid="recharge-balance">
          {wallets.data
            ? kind === "coins"
              ? formatCoins(wallets.data.coins.available)
              : formatCredits(wallets.data.credits.balance)
            : "—"}
        </div>
      </section>
      {kind === "coins" && backToOrder ? (
        <div className="gl-draft-kept" data-testid="recharge-order-kept">
          <span>{t("recharge.orderDraftKept")}</span>
          <Button
            size="small"
            shape="rounded"
            onClick={() => navigate(backToOrder)}
            data-testid="recharge-back-to-order"
          >
            {t("recharge.backToOrder")}
          </Button>
        </div>
      ) : kind === "credits" && draftKept ? (
        <div className="gl-draft-kept" data-testid="recharge-draft-kept">
          <span>{t("recharge.draftKept")}</span>
          <Button size="small" shape="rounded" onClick={backToCreate} data-testid="recharge-back-to-create">
            {t("recharge.backToCreate")}
          </Button>
        </div>
      ) : null}

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
                  kind={kind}
                  pack={p}
                  selected={p.product_id === selected}
                  onSelect={() => setSelected(p.product_id)}
                />
              ))}
            </div>
            <div className="recharge-rate">
              {kind === "coins" ? t("recharge.coinsRate") : t("recharge.rate", { rate: formatCredits(rate) })}
            </div>
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
                  {kind === "coins"
                    ? t("recharge.getCoins", { coins: formatCoins(pack.coins_amount) })
                    : t("recharge.getCredits", { credits: formatCredits(pack.credits_amount) })}
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

function PackTile({
  kind,
  pack,
  selected,
  onSelect,
}: {
  kind: Kind;
  pack: Product;
  selected: boolean;
  onSelect: () => void;
}) {
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
        <b className="recharge-pack-num">
          {kind === "coins"
            ? formatCredits(pack.coins_amount.replace(/\.0+$/, ""))
            : formatCredits(pack.credits_amount)}
        </b>
        <span>{kind === "coins" ? t("recharge.coinsUnit") : t("recharge.creditsUnit")}</span>
      </span>
      <span className="recharge-pack-price">{formatCny(pack.price_cny, { short: true })}</span>
    </button>
  );
}
