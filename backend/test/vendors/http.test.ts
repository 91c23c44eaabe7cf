import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  errorMessageOf,
  parseProgress,
  parseRetryAfter,
  redact,
  vendorJson,
} from "../../src/vendors/http.js";
import { VendorError } from "../../src/vendors/types.js";

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("7")).toBe(7000);
    expect(parseRetryAfter("1.5")).toBe(1500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

describe("parseProgress", () => {
  it("accepts numbers and percent strings, clamps to 0–100", () => {
    expect(parseProgress(45)).toBe(45);
    expect(parseProgress(45.6)).toBe(46);
    expect(parseProgress("33%")).toBe(33);
    expect(parseProgress("12")).toBe(12);
    expect(parseProgress(140)).toBe(100);
    expect(parseProgress(-1)).toBe(0);
    expect(parseProgress(null)).toBeNull();
    expect(parseProgress("n/a")).toBeNull();
  });
});

describe("errorMessageOf", () => {
  it("reads the common vendor error shapes", () => {
    expect(errorMessageOf({ error: { message: "m1", code: "c" } })).toBe("m1");
    expect(errorMessageOf({ code: "DataInspectionFailed", message: "m2" })).toBe("m2");
    expect(errorMessageOf({ output: { code: "X", message: "m3" } })).toBe("m3");
    expect(errorMessageOf({ error: "m4" })).toBe("m4");
    expect(errorMessageOf({ fail_reason: "m5" })).toBe("m5");
    expect(errorMessageOf({ error: null, status: "queued" })).toBeNull();
  });

  it("redacts the key", () => {
    expect(redact("bad key sk-abcdef", "sk-abcdef")).toBe("bad key ***");
  });
});

describe("vendorJson error classification", () => {
  let server: Server;
  let url: string;
  const key = "sk-secret-key-0123456789";

  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(new URL(req.url ?? "/", "http://x").searchParams.get("status") ?? "200");
      if (status === 200) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
        return;
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (status === 429) headers["retry-after"] = "3";
      res.writeHead(status, headers);
      // A vendor echoing the key back must not leak it into our messages.
      res.end(JSON.stringify({ error: { message: `refused for ${req.headers.authorization}`, code: "E" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const call = (status: number) =>
    vendorJson({ vendor: "t", method: "GET", url: `${url}?status=${status}`, apiKey: key, timeoutMs: 2000 });

  it("returns parsed JSON on 2xx", async () => {
    expect(await call(200)).toEqual({ ok: true });
  });

  it.each([
    [400, "rejected"],
    [401, "rejected"],
    [403, "rejected"],
    [404, "rejected"],
    [422, "rejected"],
    [408, "transient"],
    [429, "transient"],
    [500, "transient"],
    [502, "transient"],
    [503, "transient"],
    [504, "transient"],
  ] as const)("HTTP %i → %s", async (status, kind) => {
    const err = await call(status).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    const e = err as VendorError;
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(`HTTP ${status}`);
    expect(e.message).toContain("refused for Bearer ***");
    expect(e.message).not.toContain(key);
    expect(e.retryAfterMs).toBe(status === 429 ? 3000 : null);
  });
});
