/**
 * How the app and the admin console show money. Coin amounts arrive as decimal strings with up to 3 decimals ("0.225"). They are handled as integer
 * milli-coins (bigint) and formatted back by string manipulation: never floating point.
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

/**
 * Formats milli-coins with `decimals` (2 by default, the app's display precision). Extra digits are
 * truncated toward zero, so the app never shows more coins than the user has. With `keepExact`, a
 * non-zero third decimal is kept ("0.045" stays "0.045") so small ledger entries do not read as zero.
 */
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

/** "0.225" → "0.22"; "12" → "12.00". Invalid input is shown as-is rather than hidden. */
export function formatCoins(value: string | number, opts: { sign?: boolean; keepExact?: boolean } = {}) {
  try {
    return formatMilliCoins(parseMilliCoins(value), opts);
  } catch {
    return String(value);
  }
}

/** Sum of coin strings (e.g. available + pending), exact. */
export function sumCoins(...values: (string | number)[]): string {
  try {
    return formatMilliCoins(values.reduce<bigint>((acc, v) => acc + parseMilliCoins(v), 0n));
  } catch {
    return "—";
  }
}

/** Credits are integers. */
export function formatCredits(value: number | string, opts: { sign?: boolean } = {}): string {
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text)) return text;
  const n = BigInt(text);
  const abs = n < 0n ? -n : n;
  const prefix = n < 0n ? "-" : opts.sign && n > 0n ? "+" : "";
  return `${prefix}${groupThousands(abs.toString())}`;
}

/** "1234567" → "1,234,567". */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
