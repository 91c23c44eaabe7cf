import { describe, expect, it } from "vitest";
import { mapVendorStatus, VendorError } from "./types.js";

describe("mapVendorStatus", () => {
  it.each([
    ["created", "NOT_START"],
    ["not_start", "NOT_START"],
    ["queued", "QUEUED"],
    ["pending", "QUEUED"],
    ["PENDING", "QUEUED"],
    ["submitted", "QUEUED"],
    ["processing", "IN_PROGRESS"],
    ["in_progress", "IN_PROGRESS"],
    ["RUNNING", "IN_PROGRESS"],
    ["completed", "SUCCESS"],
    ["success", "SUCCESS"],
    ["succeeded", "SUCCESS"],
    ["SUCCEEDED", "SUCCESS"],
    ["succeed", "SUCCESS"],
    ["failed", "FAILURE"],
    ["FAILED", "FAILURE"],
    ["error", "FAILURE"],
    ["cancelled", "FAILURE"],
    ["CANCELED", "FAILURE"],
    ["expired", "FAILURE"],
    ["  Completed  ", "SUCCESS"],
  ])("%s → %s", (raw, status) => {
    expect(mapVendorStatus(raw)).toEqual({ status, known: true });
  });

  it.each(["warming_up", "WARMING_UP", "", "unknown", "done?"])(
    "unknown word %j → IN_PROGRESS, known false",
    (raw) => {
      expect(mapVendorStatus(raw)).toEqual({ status: "IN_PROGRESS", known: false });
    },
  );

  it("handles null and undefined", () => {
    expect(mapVendorStatus(null)).toEqual({ status: "IN_PROGRESS", known: false });
    expect(mapVendorStatus(undefined)).toEqual({ status: "IN_PROGRESS", known: false });
  });
});

describe("VendorError", () => {
  it("carries kind and retryAfterMs", () => {
    const e = new VendorError("transient", "slow down", 3000);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("VendorError");
    expect(e.kind).toBe("transient");
    expect(e.retryAfterMs).toBe(3000);
    expect(new VendorError("rejected", "no").retryAfterMs).toBeNull();
  });
});
