import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, toPage } from "./cursor.js";

describe("keyset cursor", () => {
  it("round-trips", () => {
    const k = { createdAt: new Date("2026-11-25T01:02:03.456Z"), id: "0193-abc" };
    expect(decodeCursor(encodeCursor(k))).toEqual(k);
  });
  it("rejects garbage with a validation error", () => {
    expect(() => decodeCursor("!!!")).toThrowError(/validation/i);
  });
  it("pages limit+1 rows", () => {
    const rows = [1, 2, 3].map((n) => ({ id: `${n}`, createdAt: new Date(n * 1000) }));
    const page = toPage(rows, 2, (r) => r.id);
    expect(page.items).toEqual(["1", "2"]);
    expect(page.has_more).toBe(true);
    expect(decodeCursor(page.next_cursor ?? "")?.id).toBe("2");
  });
});
