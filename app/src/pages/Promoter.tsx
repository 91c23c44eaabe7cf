import type { PromoterMe } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Avatar, Button, DotLoading, Input, PullToRefresh, Tabs, Toast } from "antd-mobile";
import { CheckCircleFill, GiftOutline, PayCircleOutline, TeamOutline } from "antd-mobile-icons";
import { useEffect, useState } from "react";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { setCreditsBalance } from "../community.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { copyText, useConfig } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits } from "../money.ts";
import { useCursorPages } from "../paging.ts";
import {
  formatCny,
  formatDay,
  inviteUrl,
  keepReferralCode,
  normalizeReferralCode,
  PaySheet,
  promoterTermsOf,
  readReferralCode,
} from "../payments.tsx";
import { downloadDataUrl, drawPoster } from "../poster.ts";
import { displayNickname } from "../userDisplay.ts";

/** `/me/promoter` — 推广中心: the program and 开通推广员, or the code, poster, stats, invites and commission. */
export function PromoterPage() {
  const { t } = useI18n();
  const promoter = useQuery({ queryKey: ["promoter"], queryFn: () => client.promoter() });
  const me = promoter.data;

  return (
    <div className="page promoter-page" data-testid="promoter-page">
      <PageHeader title={t("promoter.title")} fallback="/me" />
      {promoter.isPending ? (
        <div className="center-block muted">
          {t("common.loading")}
          <DotLoading />
        </div>
      ) : promoter.isError || !me ? (
        <div className="center-block">
          <Button size="small" onClick={() => void promoter.refetch()}>
            {t("common.loadFailedRetry")}
          </Button>
        </div>
      ) : (
        <PullToRefresh onRefresh={async () => void (await promoter.refetch())}>
          {me.is_promoter && me.referral_code ? (
            <PromoterView me={me} code={me.referral_code} />
          ) : (
            <JoinView me={me} />
          )}
          <Rules />
        </PullToRefresh>
      )}
    </div>
  );
}

/** Not a promoter yet: what it is, 开通推广员, and 填写邀请码 for someone nobody has invited. */
function JoinView({ me }: { me: PromoterMe }) {
  const { t, lang } = useI18n();
  const config = useConfig();
  const terms = promoterTermsOf(config.data);
  const [sheet, setSheet] = useState(false);
  const price = formatCny(terms.activation_cny, { short: true });

  return (
    <>
      <section className="promoter-hero" data-testid="promoter-join">
        <div className="promoter-hero-title">{t("promoter.heroTitle")}</div>
        <div className="promoter-hero-sub">{t("promoter.heroSub")}</div>
        <ul className="promoter-benefits">
          <li>
            <GiftOutline className="promoter-benefit-icon" />
            <div>
              <b>{t("promoter.benefitCredits", { credits: formatCredits(terms.activation_credits) })}</b>
              <span>{t("promoter.benefitCreditsSub", { price })}</span>
            </div>
          </li>
          <li>
            <PayCircleOutline className="promoter-benefit-icon" />
            <div>
              <b>{t("promoter.benefitCommission", { percent: terms.direct_commission_percent })}</b>
              <span>
                {t("promoter.benefitCommissionSub", {
                  percent: terms.direct_commission_percent,
                  days: config.data?.freeze_days ?? 7,
                })}
              </span>
            </div>
          </li>
          <li>
            <TeamOutline className="promoter-benefit-icon" />
            <div>
              <b>{t("promoter.benefitFriend", { credits: formatCredits(terms.new_user_bonus_credits) })}</b>
              <span>{t("promoter.benefitFriendSub")}</span>
            </div>
          </li>
        </ul>
        <Button
          block
          shape="rounded"
          size="large"
          className="promoter-activate"
          data-testid="promoter-activate"
          onClick={() => setSheet(true)}
        >
          {t("promoter.activate", { price })}
        </Button>
      </section>

      {me.invited_by ? (
        <section className="promoter-card promoter-invited" data-testid="promoter-invited-by">
          <CheckCircleFill className="promoter-invited-icon" />
          <span>
            {t("promoter.invitedBy")} <b data-user-content>{displayNickname(me.invited_by.nickname, lang)}</b>
          </span>
        </section>
      ) : (
        <BindForm bonus={terms.new_user_bonus_credits} days={terms.new_user_bind_days} />
      )}

      <PaySheet
        visible={sheet}
        onClose={() => setSheet(false)}
        title={t("promoter.activateTitle")}
        description={t("promoter.activateDesc", { credits: formatCredits(terms.activation_credits) })}
        amountCny={terms.activation_cny}
        returnTo="/me/promoter"
        testId="promoter-pay-sheet"
        create={(channel, key) => client.activatePromoter({ pay_channel: channel, client: "h5" }, key)}
      />
    </>
  );
}

/** 填写邀请码: once, within the first days after registering; +50 credits. */
function BindForm({ bonus, days }: { bonus: number; days: number }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [code, setCode] = useState(() => readReferralCode() ?? "");
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const value = normalizeReferralCode(code);
    if (!value) {
      Toast.show({ content: t("promoter.bindRequired") });
      return;
    }
    setBusy(true);
    try {
      const res = await client.bindReferral(value, newIdempotencyKey());
      keepReferralCode(null);
      setCreditsBalance(queryClient, res.balance_after);
      void queryClient.invalidateQueries({ queryKey: ["promoter"] });
      Toast.show({
        icon: "success",
        content: (
          <span data-testid="bind-toast">
            {t("promoter.bindDone", { credits: formatCredits(res.bonus_credits) })}
          </span>
        ),
      });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="promoter-card" data-testid="promoter-bind">
      <div className="promoter-card-title">{t("promoter.bindTitle")}</div>
      <div className="promoter-card-hint">
        {t("promoter.bindHint", { days, credits: formatCredits(bonus) })}
      </div>
      <form
        className="promoter-bind-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Input
          className="promoter-bind-input"
          name="referral_code"
          aria-label={t("promoter.bindTitle")}
          placeholder={t("promoter.bindPlaceholder")}
          value={code}
          maxLength={32}
          autoComplete="off"
          onChange={(v) => setCode(v.toUpperCase())}
          data-testid="bind-input"
        />
        <Button
          type="submit"
          color="primary"
          shape="rounded"
          loading={busy}
          disabled={busy || code.trim() === ""}
          data-testid="bind-submit"
        >
          {t("promoter.bindSubmit")}
        </Button>
      </form>
    </section>
  );
}

/** A promoter: the code with 复制, the poster with 保存海报, the stats, then invites and commission. */
function PromoterView({ me, code }: { me: PromoterMe; code: string }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<"invites" | "commissions">("invites");

  const copy = async () => {
    const ok = await copyText(code);
    Toast.show(
      ok ? { icon: "success", content: t("promoter.copied") } : { content: t("promoter.copyFailed") },
    );
  };

  return (
    <>
      <section className="promoter-code-card">
        <div className="promoter-code-label">{t("promoter.myCode")}</div>
        <div className="promoter-code-row">
          <span className="promoter-code" data-testid="promoter-code">
            {code}
          </span>
          <Button
            size="small"
            shape="rounded"
            className="promoter-copy"
            data-testid="promoter-copy"
            onClick={() => void copy()}
          >
            {t("promoter.copy")}
          </Button>
        </div>
        <div className="promoter-stats">
          <div>
            <b data-testid="promoter-stat-invites">{formatCredits(me.stats.total_invites)}</b>
            <span>{t("promoter.statInvites")}</span>
          </div>
          <div>
            <b data-testid="promoter-stat-commission">{formatCoins(me.stats.total_commission_coins)}</b>
            <span>{t("promoter.statCommission")}</span>
          </div>
          <div>
            <b data-testid="promoter-stat-pending">{formatCoins(me.stats.pending_commission_coins)}</b>
            <span>{t("promoter.statPending")}</span>
          </div>
        </div>
      </section>

      <Poster code={code} />

      <section className="promoter-lists">
        <Tabs activeKey={tab} onChange={(k) => setTab(k === "commissions" ? "commissions" : "invites")}>
          <Tabs.Tab key="invites" title={t("promoter.tabInvites")} />
          <Tabs.Tab key="commissions" title={t("promoter.tabCommissions")} />
        </Tabs>
        {tab === "invites" ? <InviteList /> : <CommissionList />}
      </section>
    </>
  );
}

function Poster({ code }: { code: string }) {
  const { t } = useI18n();
  const config = useConfig();
  const bonus = promoterTermsOf(config.data).new_user_bonus_credits;
  const [poster, setPoster] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  const text = {
    appName: t("app.name"),
    tagline: t("about.tagline"),
    headline: t("promoter.posterHeadline", { credits: formatCredits(bonus) }),
    codeLabel: t("promoter.posterCodeLabel"),
    scanHint: t("promoter.posterScan"),
  };
  const key = JSON.stringify(text);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for every line of `text`
  useEffect(() => {
    let live = true;
    setFailed(false);
    drawPoster(code, inviteUrl(code), text)
      .then((url) => live && setPoster(url))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [code, key]);

  const save = () => {
    if (!poster) return;
    downloadDataUrl(poster, `skyriff-invite-${code}.png`);
    Toast.show({ icon: "success", content: t("promoter.posterSaved") });
  };

  return (
    <section className="promoter-card promoter-poster-card" data-testid="promoter-poster-card">
      <div className="promoter-card-title">{t("promoter.poster")}</div>
      <div className="promoter-card-hint">{t("promoter.posterHint")}</div>
      <div className="promoter-poster-frame">
        {poster ? (
          <img
            src={poster}
            className="promoter-poster"
            alt={t("promoter.poster")}
            data-testid="promoter-poster"
            data-invite-url={inviteUrl(code)}
          />
        ) : failed ? (
          <span className="muted">{t("promoter.posterFailed")}</span>
        ) : (
          <DotLoading />
        )}
      </div>
      <Button
        block
        color="primary"
        shape="rounded"
        disabled={!poster}
        data-testid="promoter-save-poster"
        onClick={save}
      >
        {t("promoter.savePoster")}
      </Button>
    </section>
  );
}

function InviteList() {
  const { t, lang } = useI18n();
  const query = useCursorPages(["promoter", "invites"], (pageParam) => client.promoterInvites(pageParam));
  if (query.isPending) return <ListLoading />;
  if (query.isError) return <ListRetry onRetry={() => void query.refetch()} />;
  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <EmptyState
        testId="invites-empty"
        illustration="invites"
        title={t("promoter.invitesEmpty")}
        description={t("promoter.invitesEmptyHint")}
      />
    );
  }
  return (
    <>
      <ul className="promoter-rows" data-testid="invites-list">
        {items.map((i) => (
          <li key={i.user_id} className="promoter-row" data-testid="invite-row">
            <Avatar src={i.avatar_url ?? ""} className="promoter-row-avatar" />
            <div className="promoter-row-main">
              <div className="promoter-row-title" data-user-content>
                {displayNickname(i.nickname, lang)}
              </div>
              <div className="promoter-row-sub">
                {t("promoter.inviteJoined", { date: formatDay(i.bound_at, lang) })}
              </div>
            </div>
            <div className="promoter-row-side">
              <b>+{formatCoins(i.commission_coins)}</b>
              <span>{t("promoter.inviteCommission")}</span>
            </div>
          </li>
        ))}
      </ul>
      <PageFooter query={query} />
    </>
  );
}

function CommissionList() {
  const { t, lang } = useI18n();
  const query = useCursorPages(["promoter", "commissions"], (pageParam) =>
    client.promoterCommissions(pageParam),
  );
  if (query.isPending) return <ListLoading />;
  if (query.isError) return <ListRetry onRetry={() => void query.refetch()} />;
  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <EmptyState
        testId="commissions-empty"
        illustration="commission"
        title={t("promoter.commissionsEmpty")}
        description={t("promoter.commissionsEmptyHint")}
      />
    );
  }
  return (
    <>
      <ul className="promoter-rows" data-testid="commissions-list">
        {items.map((c) => (
          <li key={c.ledger_id} className="promoter-row" data-testid="commission-row" data-status={c.status}>
            <div className="promoter-row-main">
              <div className="promoter-row-title">
                <span data-user-content>{displayNickname(c.payer_nickname, lang)}</span>{" "}
                {t("promoter.commissionPaid", { amount: formatCny(c.payment_amount_cny) })}
              </div>
              <div className="promoter-row-sub">{formatDay(c.created_at, lang)}</div>
            </div>
            <div className="promoter-row-side">
              <b data-testid="commission-amount">+{formatCoins(c.amount)}</b>
              {c.status === "pending" && c.unlock_at ? (
                <span className="promoter-row-pending" data-testid="commission-status">
                  {t("promoter.commissionPending", { date: formatDay(c.unlock_at, lang) })}
                </span>
              ) : (
                <span className="promoter-row-settled" data-testid="commission-status">
                  {t("promoter.commissionSettled")}
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
      <PageFooter query={query} />
    </>
  );
}

function ListLoading() {
  const { t } = useI18n();
  return (
    <div className="center-block muted">
      {t("common.loading")}
      <DotLoading />
    </div>
  );
}

function ListRetry({ onRetry }: { onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <div className="center-block">
      <Button size="small" onClick={onRetry}>
        {t("common.loadFailedRetry")}
      </Button>
    </div>
  );
}

/** 推广规则, from the deployment's numbers. */
function Rules() {
  const { t } = useI18n();
  const config = useConfig();
  const terms = promoterTermsOf(config.data);
  const freeze = config.data?.freeze_days ?? 7;
  const rules = [
    t("promoter.rule1", {
      price: formatCny(terms.activation_cny, { short: true }),
      credits: formatCredits(terms.activation_credits),
    }),
    t("promoter.rule2", { percent: terms.direct_commission_percent }),
    t("promoter.rule3", { rate: `${terms.second_level_commission_permille / 10}%` }),
    t("promoter.rule4", { days: freeze }),
    t("promoter.rule5", {
      days: terms.new_user_bind_days,
      credits: formatCredits(terms.new_user_bonus_credits),
    }),
  ];
  return (
    <section className="promoter-rules">
      <div className="promoter-rules-title">{t("promoter.rulesTitle")}</div>
      <ol>
        {rules.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ol>
    </section>
  );
}
