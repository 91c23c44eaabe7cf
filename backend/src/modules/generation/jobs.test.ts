import { describe, expect, it } from "vitest";
import { estimatedProgress, nextPollDelayMs, pollBackoffMs, shownReason } from "./jobs.js";

describe("poll scheduling", () => {
  it("polls young tasks sooner", () => {
    expect(nextPollDelayMs(30_000)).toBe(5_000);
    expect(nextPollDelayMs(5 * 60_000)).toBe(15_000);
    expect(nextPollDelayMs(20 * 60_000)).toBe(30_000);
  });
  it("backs off after hiccups, honouring Retry-After", () => {
    expect(pollBackoffMs(0, null)).toBe(5_000);
    expect(pollBackoffMs(3, null)).toBe(40_000);
    expect(pollBackoffMs(10, null)).toBe(60_000);
    expect(pollBackoffMs(0, 90_000)).toBe(90_000);
  });
  it("estimates progress for vendors that report none, never past 95 and never backwards", () => {
    const createdAt = new Date(0);
    expect(
      estimatedProgress({ createdAt, durationSec: 10, progress: 0 }, "IN_PROGRESS", new Date(60_000)),
    ).toBe(50);
    expect(
      estimatedProgress({ createdAt, durationSec: 10, progress: 0 }, "IN_PROGRESS", new Date(600_000)),
    ).toBe(95);
    expect(
      estimatedProgress({ createdAt, durationSec: 10, progress: 70 }, "IN_PROGRESS", new Date(1_000)),
    ).toBe(70);
    expect(estimatedProgress({ createdAt, durationSec: 10, progress: 3 }, "QUEUED", new Date(60_000))).toBe(
      3,
    );
  });
});

describe("vendor reasons shown to users", () => {
  it("never carry a link (vendors echo the signed reference-image URL) and stay short", () => {
    expect(
      shownReason(
        "image_url https://bucket.oss.example.com/uploads/a.png?Signature=abc&Expires=1 was refused",
      ),
    ).toBe("image_url [链接] was refused");
    expect(shownReason("bad file:///etc/passwd")).toBe("bad [链接]");
    expect([...shownReason("违".repeat(300))]).toHaveLength(201);
    expect(shownReason("内容不合规")).toBe("内容不合规");
  });
});
