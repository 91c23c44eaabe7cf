import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  errorMessageOf,
  failedBeforeSending,
  parsePairs,
  parseProgress,
  parseRetryAfter,
  redact,
  type VendorRequest,
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

describe("vendorJson: the vendor's own error codes first", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "9" });
      res.end(JSON.stringify({ code: "1102", message: "resource pack exhausted" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const call = (classify?: VendorRequest["classify"]) =>
    vendorJson({
      vendor: "t",
      method: "POST",
      url,
      apiKey: "k-123456",
      body: {},
      timeoutMs: 2000,
      classify,
    }).catch((e: unknown) => e as VendorError);

  it("lets the adapter turn a 429 into rejected (arrears, an exhausted pack), without Retry-After", async () => {
    const seen: unknown[] = [];
    const e = await call((f) => {
      seen.push(f);
      return f.code === "1102" ? "rejected" : null;
    });
    expect(e).toMatchObject({ kind: "rejected", retryAfterMs: null });
    expect(seen).toEqual([
      {
        status: 429,
        code: "1102",
        message: "resource pack exhausted",
        body: { code: "1102", message: "resource pack exhausted" },
      },
    ]);
  });

  it("falls back to the status rule when the adapter says nothing (or has no classify)", async () => {
    expect(await call(() => null)).toMatchObject({ kind: "transient", retryAfterMs: 9000 });
    expect(await call()).toMatchObject({ kind: "transient", retryAfterMs: 9000 });
  });
});

describe("vendorJson: a create whose answer is lost", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const how = new URL(req.url ?? "/", "http://x").searchParams.get("how");
      req.resume();
      req.on("end", () => {
        if (how === "reset") req.socket.destroy();
        else if (how === "truncated") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"id":"cgt-');
        } else if (how === "half") {
          res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
          res.write('{"id":');
          setTimeout(() => req.socket.destroy(), 20);
        }
        // "hang": never answers
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tasks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const call = (how: string, createsTask: boolean, target = url) =>
    vendorJson({
      vendor: "t",
      method: "POST",
      url: `${target}?how=${how}`,
      apiKey: "k-123456",
      body: { prompt: "x" },
      timeoutMs: 200,
      createsTask,
    }).then(
      () => null,
      (e: unknown) => e as VendorError,
    );

  it.each(["hang", "reset", "truncated", "half"])(
    "%s after sending: unanswered for a create, transient for a read",
    async (how) => {
      expect(await call(how, true)).toMatchObject({ kind: "unanswered" });
      expect(await call(how, false)).toMatchObject({ kind: "transient" });
    },
  );

  it("a refused connection sent nothing: transient even for a create", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await call("hang", true, `http://127.0.0.1:${port}/tasks`);
    expect(e).toMatchObject({ kind: "transient" });
    expect(e?.message).toMatch(/ECONNREFUSED/);
  });

  it("knows which fetch failures happen before sending", () => {
    const withCode = (code: string) =>
      Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });
    expect(failedBeforeSending(withCode("ECONNREFUSED"))).toBe(true);
    expect(failedBeforeSending(withCode("ENOTFOUND"))).toBe(true);
    expect(failedBeforeSending(withCode("ECONNRESET"))).toBe(false);
    expect(failedBeforeSending(withCode("UND_ERR_SOCKET"))).toBe(false);
    expect(failedBeforeSending(new DOMException("timeout", "TimeoutError"))).toBe(false);
  });
});

describe("parsePairs", () => {
  it("reads key=value lists and skips malformed entries", () => {
    expect([...parsePairs("a=ep-1, b/10/9:16 = x ,bad,=y,z=")]).toEqual([
      ["a", "ep-1"],
      ["b/10/9:16", "x"],
    ]);
    expect(parsePairs(undefined).size).toBe(0);
  });
});
