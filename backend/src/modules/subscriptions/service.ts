import { type ClaimDailyResult, ErrorCode, type SubscriptionMe } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { accountsOf, type IdempotencyHandle, platform, post, withIdempotency } from "../../ledger/index.js";
import { AppError } from "../../lib/errors.js";
import { nextShanghaiDayStart, shanghaiDate, shanghaiDayStart } from "../../lib/time.js";
import * as repo from "./repository.js";

const DAY_MS = 24 * 3600_000;

/**
 * 月卡 (SPEC §5): a card covers whole Shanghai days: bought today for 30 days it can be claimed today and
 * the next 29 days, i.e. until the Shanghai midnight 30 days after today's. Buying again adds 30 days to
 * the end (or to today when it had lapsed). Claims are by hand, 30 credits once a day; a missed day is lost.
 */
export async function extendSubscription(
  tx: Tx,
  userId: string,
  paymentId: string,
  days: number,
  now: Date,
): Promise<void> {
  const current = await repo.lockSubscription(tx, userId);
  const today = shanghaiDayStart(now);
  const live = current && current.endAt > now ? current : null;
  const base = live ? live.endAt : today;
  const endAt = new Date(base.getTime() + days * DAY_MS);
  const applied = await repo.insertPeriod(tx, {
    paymentId,
    userId,
    days,
    endAtBefore: current?.endAt ?? null,
    endAtAfter: endAt,
    at: now,
  });
  if (!applied) return;
  await repo.saveSubscription(tx, { userId, startAt: live ? live.startAt : now, endAt, at: now });
}

/** When the next claim opens: the next Shanghai midnight, if the card still covers that day. */
function nextClaimAt(endAt: Date, now: Date, claimedToday: boolean): Date | null {
  if (!claimedToday) return now;
  const next = nextShanghaiDayStart(now);
  return endAt > next ? next : null;
}

export async function subscriptionOf(ctx: AppContext, userId: string): Promise<SubscriptionMe> {
  const now = ctx.clock.now();
  const sub = await repo.findSubscription(ctx.db, userId);
  if (!sub || sub.endAt <= now) return { active_subscription: null };
  const claimed = await repo.hasClaimed(ctx.db, userId, shanghaiDate(now));
  const daysRemaining = Math.round((sub.endAt.getTime() - shanghaiDayStart(now).getTime()) / DAY_MS);
  return {
    active_subscription: {
      start_at: sub.startAt.toISOString(),
      end_at: sub.endAt.toISOString(),
      days_remaining: daysRemaining,
      today_claimed: claimed,
      daily_credits: ctx.economy.MONTHLY_CARD_DAILY_CREDITS,
      next_claim_at: nextClaimAt(sub.endAt, now, claimed)?.toISOString() ?? null,
    },
  };
}

/** 今日领取: +30 credits (`subscription_daily_bonus`) once per Shanghai day while the card is active. */
export async function claimDaily(
  ctx: AppContext,
  userId: string,
  idempotency?: IdempotencyHandle<ClaimDailyResult>,
): Promise<ClaimDailyResult> {
  const credits = ctx.economy.MONTHLY_CARD_DAILY_CREDITS;
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const sub = await repo.lockSubscription(tx, userId);
    if (!sub || sub.endAt <= now) {
      throw new AppError(ErrorCode.STATE_CONFLICT, null, {
        zh: "月卡未开通或已过期",
        en: "No active monthly card",
      });
    }
    const day = shanghaiDate(now);
    if (!(await repo.insertClaim(tx, userId, day, credits, now))) {
      throw new AppError(ErrorCode.ALREADY_CLAIMED, {
        next_claim_at: nextClaimAt(sub.endAt, now, true)?.toISOString() ?? null,
      });
    }
    const amount = BigInt(credits);
    const posted = await post(tx, {
      businessKey: `subscription:${userId}:${day}:claim`,
      type: "subscription_daily_bonus",
      refType: "subscription",
      refId: userId,
      description: "月卡每日领取",
      at: now,
      postings: [
        { account: accountsOf(userId).credits, amount, entryType: "subscription_daily_bonus" },
        { account: platform.creditsGranted(userId), amount: -amount, entryType: "subscription_daily_bonus" },
      ],
    });
    const own = posted.entries.find((e) => e.accountId === accountsOf(userId).credits.id);
    return {
      credits,
      balance_after: Number(own?.balanceAfter ?? 0n),
      next_claim_at: nextClaimAt(sub.endAt, now, true)?.toISOString() ?? null,
    };
  });
}

/** The 我的 page's card summary. */
export async function homeCard(
  ctx: AppContext,
  userId: string,
): Promise<{ end_at: string; days_remaining: number; today_claimed: boolean } | null> {
  const { active_subscription: s } = await subscriptionOf(ctx, userId);
  return s ? { end_at: s.end_at, days_remaining: s.days_remaining, today_claimed: s.today_claimed } : null;
}

/** Cards ending within this long get a 月卡即将到期 notification from the daily job. */
const EXPIRING_NOTICE_MS = 3 * DAY_MS;

export async function expireSubscriptions(ctx: AppContext): Promise<{ expired: number; reminded: number }> {
  const now = ctx.clock.now();
  const expired = await repo.expireEndedBefore(ctx.db, now);
  const reminded = await repo.notifyEndingBefore(ctx.db, now, EXPIRING_NOTICE_MS);
  return { expired, reminded };
}
