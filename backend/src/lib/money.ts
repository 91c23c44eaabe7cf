/** Money helpers. Coins travel as bigint milli-coins inside the server and as decimal strings in JSON. */
export const MILLI_PER_COIN = 1000n;

/** 4505n → "4.505", -225n → "-0.225". */
export function formatCoins(milli: bigint): string {
  const sign = milli < 0n ? "-" : "";
  const abs = milli < 0n ? -milli : milli;
  const whole = abs / MILLI_PER_COIN;
  const frac = (abs % MILLI_PER_COIN).toString().padStart(3, "0");
  return `${sign}${whole}.${frac}`;
}

/**
 * How the app shows coins: 2 decimals, truncated ("4.500" → "4.50"), but a non-zero third decimal is kept
 * ("0.225") so a small amount never reads as less than it is.
 */
export function displayCoins(milli: bigint): string {
  const exact = formatCoins(milli);
  return exact.endsWith("0") ? exact.slice(0, -1) : exact;
}

/** "4.5" → 4500n. Rejects more than 3 decimals rather than rounding. */
export function parseCoins(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a coin amount: ${text}`);
  const value = BigInt(m[2]!) * MILLI_PER_COIN + BigInt((m[3] ?? "").padEnd(3, "0"));
  return m[1] ? -value : value;
}

/** 2900 → "29.00". */
export function formatCny(fen: number | bigint): string {
  const v = BigInt(fen);
  const sign = v < 0n ? "-" : "";
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/**
 * Splits a gross amount between creator and platform: the creator's share is rounded down to the
 * unit, the platform takes the remainder, so creator + platform === gross exactly.
 */
export function splitFee(gross: bigint, platformPercent: number): { creator: bigint; platform: bigint } {
  const creator = (gross * BigInt(100 - platformPercent)) / 100n;
  return { creator, platform: gross - creator };
}
