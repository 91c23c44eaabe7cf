/**
 * Amounts as the API sends them: credits are integers, coins decimal strings with up to 3 decimals,
 * CNY decimal strings with 2. Coins are handled as integer milli-coins (bigint) and shown with 2
 * decimals truncated toward zero, as the app does (app/src/money.ts): never floating point.
 */
const COIN_RE = /^(-?)(\d+)(?:\.(\d{1,3}))?$/;

export function parseMilliCoins(value: string | number): bigint {
  const text = String(value).trim();
  const m = COIN_RE.exec(text);
  if (!m) throw new Error(`not a coin amount: ${text}`);
  const [, sign, whole, frac = ""] = m;
  const milli = BigInt(whole!) * 1000n + BigInt(frac.padEnd(3, "0"));
  return sign === "-" ? -milli : milli;
}

export function formatMilliCoins(milli: bigint, opts: { sign?: boolean; keepExact?: boolean } = {}): string {
  const negative = milli < 0n;
  const abs = negative ? -milli : milli;
  const whole = abs / 1000n;
  const frac = (abs % 1000n).toString().padStart(3, "0");
  const shown = opts.keepExact && !frac.endsWith("0") ? frac : frac.slice(0, 2);
  const isZero = whole === 0n && /^0+$/.test(shown);
  const prefix = negative && !isZero ? "-" : opts.sign && !isZero ? "+" : "";
  return `${prefix}${groupThousands(whole.toString())}.${shown}`;
}

/** "0.225" → "0.22"; "12" → "12.00"; with keepExact a non-zero third decimal stays ("0.045"). */
export function formatCoins(value: string | number, opts: { sign?: boolean; keepExact?: boolean } = {}) {
  try {
    return formatMilliCoins(parseMilliCoins(value), opts);
  } catch {
    return String(value);
  }
}

export function sumCoins(...values: (string | number)[]): string {
  try {
    return formatMilliCoins(values.reduce<bigint>((acc, v) => acc + parseMilliCoins(v), 0n));
  } catch {
    return "—";
  }
}

export function formatCredits(value: number | string, opts: { sign?: boolean } = {}): string {
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text)) return text;
  const n = BigInt(text);
  const abs = n < 0n ? -n : n;
  const prefix = n < 0n ? "-" : opts.sign && n > 0n ? "+" : "";
  return `${prefix}${groupThousands(abs.toString())}`;
}

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

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Validates an adjustment amount as the contract wants it: credits integer, coins ≤ 3 decimals, ≠ 0. */
export function validAdjustAmount(asset: "credits" | "coins", raw: string): boolean {
  const text = raw.trim();
  const re = asset === "credits" ? /^-?\d{1,9}$/ : /^-?\d{1,9}(\.\d{1,3})?$/;
  if (!re.test(text)) return false;
  return !/^-?0+(\.0+)?$/.test(text);
}
