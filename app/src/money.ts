import { groupThousands } from "@skyriff/contracts/money";

export {
  formatCoins,
  formatCredits,
  formatMilliCoins,
  parseMilliCoins,
  sumCoins,
} from "@skyriff/contracts/money";

/**
 * Counts (videos, likes, followers, works): grouped below 10,000 ("1,234"), then shortened the way
 * Chinese apps do, rounded down so a count is never overstated: 12,345 → "1.2万" / "12.3K",
 * 123,456,789 → "1.2亿" / "123.4M".
 */
export function formatCount(value: number, lang: "zh-CN" | "en"): string {
  if (!Number.isFinite(value)) return "—";
  const n = Math.max(0, Math.trunc(value));
  if (n < 10_000) return groupThousands(String(n));
  const steps =
    lang === "en"
      ? [
          { size: 1_000_000_000, unit: "B" },
          { size: 1_000_000, unit: "M" },
          { size: 1_000, unit: "K" },
        ]
      : [
          { size: 100_000_000, unit: "亿" },
          { size: 10_000, unit: "万" },
        ];
  const step = steps.find((s) => n >= s.size) ?? steps[steps.length - 1]!;
  const tenths = Math.floor((n * 10) / step.size);
  const whole = Math.floor(tenths / 10);
  const frac = tenths % 10;
  return `${groupThousands(String(whole))}${frac ? `.${frac}` : ""}${step.unit}`;
}
