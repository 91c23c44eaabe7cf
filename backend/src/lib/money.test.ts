import { describe, expect, it } from "vitest";
import { formatCny, formatCoins, parseCoins, splitFee } from "./money.js";

describe("money", () => {
  it("formats milli-coins as decimal strings", () => {
    expect(formatCoins(0n)).toBe("0.000");
    expect(formatCoins(4500n)).toBe("4.500");
    expect(formatCoins(225n)).toBe("0.225");
    expect(formatCoins(-1n)).toBe("-0.001");
  });
  it("parses decimal strings exactly and refuses extra precision", () => {
    expect(parseCoins("4.5")).toBe(4500n);
    expect(parseCoins("100")).toBe(100_000n);
    expect(parseCoins("-0.225")).toBe(-225n);
    expect(() => parseCoins("0.0001")).toThrow(RangeError);
    expect(() => parseCoins("1e3")).toThrow(RangeError);
  });
  it("formats fen as CNY with two decimals", () => {
    expect(formatCny(600)).toBe("6.00");
    expect(formatCny(288000)).toBe("2880.00");
  });
  it("splits a tip so creator + platform equals the gross (SPEC §1 example)", () => {
    // 100 credits tip → 5.000 coins gross → creator 4.500, platform 0.500
    expect(splitFee(5000n, 10)).toEqual({ creator: 4500n, platform: 500n });
    // 5 credits prompt unlock → 250 milli gross → creator rounds down to 225, platform 25
    expect(splitFee(250n, 10)).toEqual({ creator: 225n, platform: 25n });
    const odd = splitFee(1n, 10);
    expect(odd.creator + odd.platform).toBe(1n);
    expect(odd.creator).toBe(0n);
  });
});
