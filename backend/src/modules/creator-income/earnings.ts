import type { Earnings, EarningsSource } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { accountsOf, balancesOf, pendingShardsOf } from "../../ledger/index.js";
import { formatCoins } from "../../lib/money.js";
import { shanghaiDate, shanghaiDayStart } from "../../lib/time.js";
import * as repo from "./earnings-repository.js";

const DAY_MS = 24 * 3600_000;
const SOURCE_OF: Record<string, EarningsSource> = {
  creator_tip_income: "tip",
  creator_prompt_income: "prompt",
  creator_remix_income: "remix",
  referral_commission_income: "commission",
  order_payout_income: "order",
};
const SOURCES: EarningsSource[] = ["tip", "prompt", "remix", "commission", "order"];

/**
 * 我的收益: daily net income by source over the last `days` Shanghai days (today included), the total
 * against the `days` before, and the wallet's pending and available coins. Integer milli-coins
 * throughout; the change is in basis points, rounded toward zero.
 */
export async function earningsOf(
  ctx: Pick<AppContext, "db" | "clock">,
  userId: string,
  days: 7 | 30,
): Promise<Earnings> {
  const now = ctx.clock.now();
  const periodStart = new Date(shanghaiDayStart(now).getTime() - (days - 1) * DAY_MS);
  const previousStart = new Date(periodStart.getTime() - days * DAY_MS);
  const shards = pendingShardsOf(userId).map((a) => a.id);
  const available = accountsOf(userId).coinsAvailable.id;
  const [rows, balances, released] = await Promise.all([
    repo.dailyIncome(ctx.db, shards, previousStart),
    balancesOf(ctx.db, [available, ...shards]),
    repo.releasedSince(ctx.db, available, periodStart),
  ]);

  const dayKeys = Array.from({ length: days }, (_, i) =>
    shanghaiDate(new Date(periodStart.getTime() + i * DAY_MS)),
  );
  const perDay = new Map(dayKeys.map((d) => [d, new Map<EarningsSource, bigint>()]));
  const bySource = new Map<EarningsSource, bigint>();
  let current = 0n;
  let previous = 0n;
  for (const r of rows) {
    const source = SOURCE_OF[r.entryType];
    if (!source) continue;
    const bucket = perDay.get(r.day);
    if (!bucket) {
      previous += r.milli;
      continue;
    }
    current += r.milli;
    bucket.set(source, (bucket.get(source) ?? 0n) + r.milli);
    bySource.set(source, (bySource.get(source) ?? 0n) + r.milli);
  }
  const pending = shards.reduce((sum, id) => sum + (balances.get(id) ?? 0n), 0n);
  return {
    days,
    series: dayKeys.map((day) => {
      const b = perDay.get(day) ?? new Map<EarningsSource, bigint>();
      const total = SOURCES.reduce((sum, s) => sum + (b.get(s) ?? 0n), 0n);
      return {
        day,
        tip: formatCoins(b.get("tip") ?? 0n),
        prompt: formatCoins(b.get("prompt") ?? 0n),
        remix: formatCoins(b.get("remix") ?? 0n),
        commission: formatCoins(b.get("commission") ?? 0n),
        order: formatCoins(b.get("order") ?? 0n),
        total: formatCoins(total),
      };
    }),
    by_source: Object.fromEntries(
      SOURCES.map((s) => [s, formatCoins(bySource.get(s) ?? 0n)]),
    ) as Earnings["by_source"],
    current_total: formatCoins(current),
    previous_total: formatCoins(previous),
    change_bp: previous === 0n ? null : Number(((current - previous) * 10_000n) / previous),
    coins_pending: formatCoins(pending),
    coins_available: formatCoins(balances.get(available) ?? 0n),
    released_in_period: formatCoins(released),
  };
}
