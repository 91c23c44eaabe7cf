import type { AppContext } from "../../context.js";
import { pendingShard, platform, post } from "../../ledger/index.js";
import { formatCoins } from "../../lib/money.js";
import { shanghaiDate } from "../../lib/time.js";
import { notify } from "../notifications/repository.js";
import * as repo from "./repository.js";

const DAY_MS = 24 * 3600_000;
const BATCH = 500;

/** The Shanghai calendar month before the one containing `now`: [from, to) and its `YYYY-MM`. */
export function previousShanghaiMonth(now: Date): { from: Date; to: Date; period: string } {
  const today = shanghaiDate(now);
  const [y, m] = today.split("-").map(Number) as [number, number];
  const prevY = m === 1 ? y - 1 : y;
  const prevM = m === 1 ? 12 : m - 1;
  const pad = (n: number) => String(n).padStart(2, "0");
  // 00:00 Shanghai on the 1st is 16:00 UTC on the day before.
  const startOf = (yy: number, mm: number) => new Date(Date.UTC(yy, mm - 1, 1) - 8 * 3600_000);
  return { from: startOf(prevY, prevM), to: startOf(y, m), period: `${prevY}-${pad(prevM)}` };
}

/**
 * 二级佣金 (1st of each month, 00:00 Shanghai): A earns 0.1 % of the previous month's payments of the
 * users invited by the users A invited, as one pending lot per promoter and month, keyed
 * `promoter:{A}:second_level:{YYYY-MM}` — running the job again posts nothing more. Fen × 10 = milli-coins;
 * SECOND_LEVEL_COMMISSION_PERMILLE (1 = 0.1 %) of them, rounded down.
 */
export async function postMonthlyCommissions(
  ctx: Pick<AppContext, "db" | "clock" | "economy">,
): Promise<{ period: string; promoters: number; posted: number }> {
  const now = ctx.clock.now();
  const month = previousShanghaiMonth(now);
  const unlockAt = new Date(now.getTime() + ctx.economy.FREEZE_DAYS * DAY_MS);
  let after: string | null = null;
  let promoters = 0;
  let posted = 0;
  for (;;) {
    const batch = await repo.secondLevelTotals(ctx.db, month, after, BATCH);
    for (const t of batch) {
      promoters++;
      const milli = (t.paymentsFen * 10n * BigInt(ctx.economy.SECOND_LEVEL_COMMISSION_PERMILLE)) / 1000n;
      if (milli === 0n) continue;
      const fresh = await ctx.db.transaction(async (tx) => {
        const result = await post(tx, {
          businessKey: `promoter:${t.promoterUserId}:second_level:${month.period}`,
          type: "referral_commission_income",
          refType: "promoter_month",
          refId: `${t.promoterUserId}:${month.period}`,
          description: `二级推广佣金 ${month.period}`,
          metadata: {
            promoter_user_id: t.promoterUserId,
            level: 2,
            period: month.period,
            payment_amount_fen: Number(t.paymentsFen),
            payers: t.payers,
          },
          at: now,
          postings: [
            {
              account: pendingShard(t.promoterUserId, t.promoterUserId),
              amount: milli,
              entryType: "referral_commission_income",
              status: "pending",
              unlockAt,
            },
            {
              account: platform.coinsCommission(t.promoterUserId),
              amount: -milli,
              entryType: "referral_commission_income",
            },
          ],
        });
        if (!result.replayed) {
          notify(
            tx,
            {
              userId: t.promoterUserId,
              kind: "commission_received",
              refType: "promoter_month",
              refId: month.period,
              data: { period: month.period, coins: formatCoins(milli), level: 2 },
              dedupeKey: `promoter:${t.promoterUserId}:second_level:${month.period}`,
            },
            now,
          );
        }
        return !result.replayed;
      });
      if (fresh) posted++;
    }
    if (batch.length < BATCH) break;
    after = batch[batch.length - 1]?.promoterUserId ?? null;
  }
  return { period: month.period, promoters, posted };
}
