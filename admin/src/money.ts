/**
 * Amounts as the API sends them: credits are integers, coins decimal strings with up to 3 decimals,
 * CNY decimal strings with 2. The coin and credit formatting is the app's (@skyriff/contracts/money):
 * integer milli-coins, never floating point.
 */
import { formatCoins, formatCredits, groupThousands } from "@skyriff/contracts/money";

export {
  formatCoins,
  formatCredits,
  formatMilliCoins,
  parseMilliCoins,
  sumCoins,
} from "@skyriff/contracts/money";

/** "12800.00" → "¥12,800.00". */
export function formatCny(value: string): string {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(value.trim());
  if (!m) return `¥${value}`;
  return `${m[1]}¥${groupThousands(m[2]!)}.${m[3]}`;
}

/** A ledger amount: credits are numbers (integers), coins strings. */
export function formatLedgerAmount(amount: number | string, wallet: string): string {
  return wallet === "credits"
    ? formatCredits(amount, { sign: true })
    : formatCoins(amount, { sign: true, keepExact: true });
}

export function formatCount(value: number): string {
  return Number.isFinite(value) ? groupThousands(String(Math.trunc(value))) : "—";
}

/** Validates an adjustment amount as the contract wants it: credits integer, coins ≤ 3 decimals, ≠ 0. */
export function validAdjustAmount(asset: "credits" | "coins", raw: string): boolean {
  const text = raw.trim();
  const re = asset === "credits" ? /^-?\d{1,9}$/ : /^-?\d{1,9}(\.\d{1,3})?$/;
  if (!re.test(text)) return false;
  return !/^-?0+(\.0+)?$/.test(text);
}
