import { describe, expect, it } from "vitest";
import { nextShanghaiDayStart, shanghaiDate, shanghaiDayStart } from "./time.js";

describe("Shanghai business day", () => {
  it("rolls over at 16:00 UTC", () => {
    expect(shanghaiDate(new Date("2026-11-25T15:59:59Z"))).toBe("2026-11-25");
    expect(shanghaiDate(new Date("2026-11-25T16:00:00Z"))).toBe("2026-11-26");
  });
  it("day start is 00:00 +08:00", () => {
    expect(shanghaiDayStart(new Date("2026-11-25T03:00:00Z")).toISOString()).toBe("2026-11-24T16:00:00.000Z");
    expect(nextShanghaiDayStart(new Date("2026-11-25T17:00:00Z")).toISOString()).toBe(
      "2026-11-26T16:00:00.000Z",
    );
  });
});
