import type { SubscriptionMe } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Skeleton, Toast } from "antd-mobile";
import { useState } from "react";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { setCreditsBalance } from "../community.tsx";
import { useConfig } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";
import {
  ALREADY_CLAIMED,
  formatClockTime,
  formatCny,
  formatDay,
  isApiError,
  isTomorrow,
  monthlyCardOf,
  PaySheet,
} from "../payments.tsx";

const DAY_MS = 24 * 60 * 60_000;

/**
 * 月卡 on 我的 (SPEC §5): not active → the offer and 开通; active → days left, 今日领取 (then 已领取 and when
 * the next claim opens) and 续费, which extends the card by another term.
 */
export function SubscriptionCard() {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const config = useConfig();
  const card = monthlyCardOf(config.data);
  const query = useQuery({ queryKey: ["subscription"], queryFn: () => client.subscription() });
  const [sheet, setSheet] = useState(false);
  const [claiming, setClaiming] = useState(false);
  const active = query.data?.active_subscription ?? null;

  const markClaimed = (nextClaimAt: string | null) => {
    queryClient.setQueryData<SubscriptionMe>(["subscription"], (s) =>
      s?.active_subscription
        ? {
            active_subscription: {
              ...s.active_subscription,
              today_claimed: true,
              next_claim_at: nextClaimAt,
            },
          }
        : s,
    );
    void queryClient.invalidateQueries({ queryKey: ["subscription"] });
  };

  const claim = async () => {
    setClaiming(true);
    try {
      const res = await client.claimSubscriptionDaily(newIdempotencyKey());
      markClaimed(res.next_claim_at);
      setCreditsBalance(queryClient, res.balance_after);
      Toast.show({
        icon: "success",
        content: t("sub.claimDone", { credits: formatCredits(res.credits) }),
      });
    } catch (err) {
      if (isApiError(err, ALREADY_CLAIMED)) {
        const next = (err.data as { next_claim_at?: unknown } | null)?.next_claim_at;
        markClaimed(typeof next === "string" ? next : null);
      }
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setClaiming(false);
    }
  };

  if (query.isPending) {
    return (
      <section className="sub-card" data-testid="sub-card" data-state="loading">
        <Skeleton.Paragraph lineCount={2} animated className="sub-skeleton" />
      </section>
    );
  }
  // The rest of 我的 works without it; a failed load offers a retry in place.
  if (query.isError) {
    return (
      <section className="sub-card" data-testid="sub-card" data-state="error">
        <div className="sub-error">
          {t("me.loadFailed")}{" "}
          <Button size="mini" onClick={() => void query.refetch()}>
            {t("me.retry")}
          </Button>
        </div>
      </section>
    );
  }

  const sheetTitle = active ? t("sub.renewTitle") : t("sub.openTitle");
  const sheetDesc = active
    ? t("sub.renewDesc", {
        days: card.days,
        date: formatDay(new Date(new Date(active.end_at).getTime() + card.days * DAY_MS).toISOString(), lang),
      })
    : t("sub.openDesc", { days: card.days, credits: formatCredits(card.daily_credits) });

  return (
    <section className="sub-card" data-testid="sub-card" data-state={active ? "active" : "inactive"}>
      <div className="sub-head">
        <span className="sub-badge">{t("sub.badge")}</span>
        {active ? (
          <>
            <div className="sub-head-text">
              <b>{t("sub.active")}</b>
              <span data-testid="sub-until">
                {t("sub.until", { date: formatDay(active.end_at, lang) })} ·{" "}
                {t("sub.daily", { credits: formatCredits(active.daily_credits) })}
              </span>
            </div>
            <span className="sub-days" data-testid="sub-days">
              {t("sub.daysLeft", { days: active.days_remaining })}
            </span>
          </>
        ) : (
          <div className="sub-head-text">
            <b>{t("sub.offer", { price: formatCny(card.price_cny, { short: true }) })}</b>
            <span>{t("sub.pitch", { credits: formatCredits(card.daily_credits), days: card.days })}</span>
          </div>
        )}
      </div>

      {active ? (
        <div className="sub-actions">
          <div className="sub-claim">
            <Button
              shape="rounded"
              className="sub-claim-button"
              data-testid="sub-claim"
              loading={claiming}
              disabled={claiming || active.today_claimed}
              onClick={() => void claim()}
            >
              {active.today_claimed
                ? t("sub.claimed")
                : t("sub.claim", { credits: formatCredits(active.daily_credits) })}
            </Button>
            {active.today_claimed && (
              <span className="sub-next" data-testid="sub-next">
                {active.next_claim_at
                  ? isTomorrow(active.next_claim_at)
                    ? t("sub.nextTomorrow", { time: formatClockTime(active.next_claim_at, lang) })
                    : t("sub.nextOn", {
                        date: formatDay(active.next_claim_at, lang),
                        time: formatClockTime(active.next_claim_at, lang),
                      })
                  : t("sub.lastDay")}
              </span>
            )}
          </div>
          <button type="button" className="sub-renew" data-testid="sub-renew" onClick={() => setSheet(true)}>
            {t("sub.renew")}
          </button>
        </div>
      ) : (
        <Button shape="rounded" className="sub-open" data-testid="sub-open" onClick={() => setSheet(true)}>
          {t("sub.open")}
        </Button>
      )}

      <PaySheet
        visible={sheet}
        onClose={() => setSheet(false)}
        title={sheetTitle}
        description={sheetDesc}
        amountCny={card.price_cny}
        returnTo="/me"
        testId="sub-pay-sheet"
        create={(channel, key) => client.buySubscription({ pay_channel: channel, client: "h5" }, key)}
      />
    </section>
  );
}
