import { connect } from "node:net";
import { ErrorCode, errorEnvelope } from "@skyriff/contracts";
import Fastify, { type InjectOptions } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { installErrorHandler } from "../../src/http/error-handler.js";
import { serializerCompiler } from "../../src/http/serializer.js";
import { AppError } from "../../src/lib/errors.js";
import { createS3Storage } from "../../src/providers/storage/s3.js";
import { createSimulatedVendor } from "../../src/vendors/simulated.js";
import { VendorError, type VendorName, type VideoVendor } from "../../src/vendors/types.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { makePng, multipart } from "../helpers/images.js";

const APP_ORIGIN = "https://app.skyriff.example";
const logLines: string[] = [];
let t: TestApp;
let base: string;

beforeAll(async () => {
  // A vendor that rejects image→video tasks and echoes the reference URL it got, as real vendors do.
  const simulated = createSimulatedVendor({
    workDir: `${process.env.TMPDIR ?? "/tmp"}/skyriff-sec-${process.pid}`,
  });
  const echoing: VideoVendor = {
    name: "simulated",
    create: async (input) => {
      if (input.referenceImageUrl) {
        throw new VendorError("rejected", `cannot download image_url=${input.referenceImageUrl} (403)`);
      }
      return simulated.create(input);
    },
    get: (id) => simulated.get(id),
  };
  t = await startTestApp({
    env: { CORS_ORIGINS: `${APP_ORIGIN}, http://localhost:5173`, LOG_LEVEL: "info" },
    server: {
      logger: true,
      logStream: { write: (line: string) => void logLines.push(line) },
      vendors: new Map<VendorName, VideoVendor>([["simulated", echoing]]),
    },
  });
  base = await t.app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => t?.close());

const inject = (opts: InjectOptions) => t.app.inject(opts);

function expectSecurityHeaders(headers: Record<string, unknown>) {
  const csp = String(headers["content-security-policy"]);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-powered-by"]).toBeUndefined();
}

/** One raw HTTP exchange on a fresh socket; resolves with what the server wrote before closing. */
function rawRequest(payload: string): Promise<{ status: number; headers: string; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      if (!status) reject(new Error(`no HTTP answer: ${JSON.stringify(data.slice(0, 200))}`));
      else resolve({ status, headers: head, body });
    });
    socket.write(payload);
  });
}

describe("helmet headers", () => {
  it("are on an HTML page, on /api/v1/config and on an error", async () => {
    const page = await inject({ method: "GET", url: "/some/app/page" });
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expectSecurityHeaders(page.headers);

    const config = await inject({ method: "GET", url: "/api/v1/config" });
    expect(config.statusCode).toBe(200);
    expectSecurityHeaders(config.headers);

    const missing = await inject({ method: "GET", url: "/api/v1/nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: ErrorCode.NOT_FOUND, data: null });
    expectSecurityHeaders(missing.headers);

    const invalid = await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone: 1 } });
    expect(invalid.status).toBe(422);
  });

  it("the CSP fits the app: module scripts, styles, media from self/data:/blob:, service worker, manifest, same-origin fetch", async () => {
    const csp = String((await inject({ method: "GET", url: "/" })).headers["content-security-policy"]);
    const directive = (name: string) =>
      csp
        .split(";")
        .find((d) => d.trim().startsWith(`${name} `))
        ?.trim();
    // The built app injects no inline style (React sets styles through the CSSOM).
    expect(directive("style-src")).toBe("style-src 'self'");
    expect(directive("img-src")).toBe("img-src 'self' data: blob:");
    expect(directive("media-src")).toBe("media-src 'self' blob:");
    expect(directive("connect-src")).toBe("connect-src 'self'");
    expect(directive("worker-src")).toBe("worker-src 'self'");
    expect(directive("manifest-src")).toBe("manifest-src 'self'");
    expect(directive("base-uri")).toBe("base-uri 'self'");
    // Over http (PUBLIC_BASE_URL here) upgrading requests would break every asset.
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("with S3 storage, the bucket's public origin may serve images and video", async () => {
    const { cspDirectives, mediaOriginsOf } = await import("../../src/http/security.js");
    const storage = createS3Storage({
      endpoint: "http://minio.internal:9000",
      publicEndpoint: "https://media.skyriff.example",
      region: "us-east-1",
      bucket: "skyriff",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      forcePathStyle: true,
    });
    const origins = await mediaOriginsOf(storage);
    expect(origins).toEqual(["https://media.skyriff.example"]);
    const directives = cspDirectives({
      config: { CORS_ORIGINS: [], publicBaseUrl: "https://skyriff.example", WECHAT_OAUTH_APP_ID: undefined },
      mediaOrigins: origins,
    });
    expect(directives.imgSrc).toContain("https://media.skyriff.example");
    expect(directives.mediaSrc).toContain("https://media.skyriff.example");
    expect(directives.connectSrc).toEqual(["'self'"]);
    expect(directives.upgradeInsecureRequests).toEqual([]);
  });

  it("Swagger UI at /docs loads only same-origin scripts, and only it may inject styles", async () => {
    const index = await inject({ method: "GET", url: "/docs" });
    expect(index.statusCode).toBe(200);
    expectSecurityHeaders(index.headers);
    expect(String(index.headers["content-security-policy"])).toContain("style-src 'self' 'unsafe-inline'");
    const html = index.body;
    // No inline script (script-src 'self' would block it): every <script> has a src.
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? []).toEqual([]);
    for (const src of [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1])) {
      expect(src, "a same-origin asset").not.toMatch(/^(https?:)?\/\//);
      const asset = await inject({ method: "GET", url: new URL(src as string, "http://x/docs").pathname });
      expect(asset.statusCode, src).toBe(200);
    }
    const init = await inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(init.body).toContain("validatorUrl");
  });

  it("the WeChat sandbox page keeps its own strict CSP, and cannot be framed either", async () => {
    const res = await inject({ method: "GET", url: "/sandbox/wechat/connect/oauth2/authorize" });
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("CORS", () => {
  it("reflects an origin of CORS_ORIGINS, never an unknown one", async () => {
    const allowed = await inject({ method: "GET", url: "/api/v1/config", headers: { origin: APP_ORIGIN } });
    expect(allowed.headers["access-control-allow-origin"]).toBe(APP_ORIGIN);
    expect(String(allowed.headers.vary)).toMatch(/origin/i);
    expect(allowed.headers["access-control-allow-credentials"]).toBeUndefined();

    const unknown = await inject({
      method: "GET",
      url: "/api/v1/config",
      headers: { origin: "https://evil.example" },
    });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.headers["access-control-allow-origin"]).toBeUndefined();
    const lookalike = await inject({
      method: "GET",
      url: "/api/v1/config",
      headers: { origin: `${APP_ORIGIN}.evil.example` },
    });
    expect(lookalike.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("with another origin's app allowed, only media may be embedded cross-origin (CORP)", async () => {
    const avatar = await inject({ method: "GET", url: "/static/default-avatar.svg" });
    expect(avatar.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    const api = await inject({ method: "GET", url: "/api/v1/config" });
    expect(api.headers["cross-origin-resource-policy"]).toBe("same-origin");
  });

  it("answers a preflight from an allowed origin, and refuses one from an unknown origin in the envelope", async () => {
    const ok = await inject({
      method: "OPTIONS",
      url: "/api/v1/tasks/create",
      headers: {
        origin: APP_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers["access-control-allow-origin"]).toBe(APP_ORIGIN);
    expect(String(ok.headers["access-control-allow-methods"])).toContain("PATCH");
    expect(String(ok.headers["access-control-allow-headers"])).toContain("idempotency-key");

    const refused = await inject({
      method: "OPTIONS",
      url: "/api/v1/tasks/create",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "accept-language": "en",
      },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    expect(refused.json()).toEqual({
      code: ErrorCode.NOT_ALLOWED,
      message: "Cross-origin requests from this origin are not allowed",
      data: { reason: "cors_origin_not_allowed" },
    });
    const zh = await inject({
      method: "OPTIONS",
      url: "/api/v1/config",
      headers: { origin: "null", "access-control-request-method": "GET" },
    });
    expect(zh.statusCode).toBe(403);
    expect(zh.json().message).toBe("不允许该来源的跨域请求");
  });
});

describe("every error leaves in the envelope", () => {
  it("a URL that does not decode is 400/4220 with the security headers", async () => {
    const res = await inject({
      method: "GET",
      url: "/api/v1/%E0%A4%A",
      headers: { "accept-language": "en" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.json()).toEqual({
      code: ErrorCode.VALIDATION,
      message: "The request URL is not valid",
      data: { reason: "bad_url" },
    });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(String(res.headers["content-security-policy"])).toContain("frame-ancestors 'none'");
    const zh = await inject({ method: "GET", url: "/api/v1/tasks/%E0%A4%A" });
    expect(zh.json().message).toBe("请求地址无效");
    const long = await inject({ method: "GET", url: `/api/v1/tasks/${"x".repeat(150)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: ErrorCode.VALIDATION, data: { reason: "param_too_long" } });
  });

  it("headers over Node's limit are 431/4220 (raw socket), localized", async () => {
    const big = "a".repeat(20_000);
    const en = await rawRequest(
      `GET /api/v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\nX-Big: ${big}\r\n\r\n`,
    );
    expect(en.status).toBe(431);
    expect(en.headers).toMatch(/content-type: application\/json/i);
    expect(en.headers).toMatch(/x-content-type-options: nosniff/i);
    expect(JSON.parse(en.body)).toEqual({
      code: ErrorCode.VALIDATION,
      message: "Request headers too large",
      data: { reason: "header_too_large" },
    });
    const zh = await rawRequest(`GET /api/v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`);
    expect(zh.status).toBe(431);
    expect(JSON.parse(zh.body).message).toBe("请求头过大");
  });

  it("a request the HTTP parser rejects is 400/4220 (raw socket)", async () => {
    const res = await rawRequest("GET /api/v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      code: ErrorCode.VALIDATION,
      message: "请求格式错误",
      data: { reason: "malformed_request" },
    });
    const garbage = await rawRequest("\u0001\u0002 nonsense\r\n\r\n");
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body).code).toBe(ErrorCode.VALIDATION);
  });

  it("body too large (413), unsupported media type (415), empty and malformed JSON bodies", async () => {
    const user = await login(t);
    const auth = { authorization: `Bearer ${user.access_token}` };
    const cases = [
      { payload: JSON.stringify({ name: "x".repeat(1_100_000) }), type: "application/json", status: 413 },
      { payload: "<name/>", type: "application/xml", status: 415 },
      { payload: "{", type: "application/json", status: 422 },
      { payload: "", type: "application/json", status: 422 },
    ];
    for (const c of cases) {
      const res = await inject({
        method: "POST",
        url: "/api/v1/projects",
        headers: { ...auth, "content-type": c.type, "accept-language": "en" },
        payload: c.payload,
      });
      expect(res.statusCode, c.type + c.payload.slice(0, 10)).toBe(c.status);
      const body = errorEnvelope.parse(res.json());
      expect(body.code).toBe(ErrorCode.VALIDATION);
      expect(body.message).toBe("Request validation failed");
    }
    const projects = await call(t, "GET", "/api/v1/projects", { token: user.access_token });
    expect(projects.body.data.items).toEqual([]);
  });

  it("error bodies are plain JSON: a route's response schema never strips fields from `data`", async () => {
    const app = Fastify({ logger: false });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app);
    app.get(
      "/x",
      {
        schema: {
          response: {
            200: z.object({ ok: z.boolean() }),
            422: z.object({ code: z.number(), message: z.string(), data: z.object({}).nullable() }),
          },
        },
      },
      async () => {
        throw new AppError(ErrorCode.VALIDATION, { fields: { prompt: "bad" } });
      },
    );
    const res = await app.inject({ method: "GET", url: "/x" });
    await app.close();
    expect(res.statusCode).toBe(422);
    expect(res.json().data).toEqual({ fields: { prompt: "bad" } });
  });
});

describe("Authorization header", () => {
  it("the Bearer scheme is case-insensitive", async () => {
    const user = await login(t);
    for (const scheme of ["Bearer", "bearer", "BEARER", "BeArEr"]) {
      const res = await inject({
        method: "GET",
        url: "/api/v1/me",
        headers: { authorization: `${scheme} ${user.access_token}` },
      });
      expect(res.statusCode, scheme).toBe(200);
      expect(res.json().data.user_id).toBe(user.user.user_id);
    }
    for (const header of [`Basic ${user.access_token}`, `Bearer${user.access_token}`, "Bearer   "]) {
      const res = await inject({ method: "GET", url: "/api/v1/me", headers: { authorization: header } });
      expect(res.statusCode, header).toBe(401);
      expect(res.json().code).toBe(ErrorCode.NOT_LOGGED_IN);
    }
  });
});

describe("logs", () => {
  it("never hold a signed URL: request lines, upload links, file fetches, SSE tokens, vendor errors", async () => {
    const user = await login(t);
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 50 } });
    const form = multipart(makePng(32, 32), "ref.png", "image/png");
    const uploaded = await inject({
      method: "POST",
      url: "/api/v1/media/upload",
      headers: { authorization: `Bearer ${user.access_token}`, "content-type": form.contentType },
      payload: form.payload,
    });
    expect(uploaded.statusCode).toBe(200);
    const link = new URL(uploaded.json().data.url, "http://skyriff.test");
    const sig = link.searchParams.get("sig") as string;
    expect(sig.length).toBeGreaterThan(10);

    // The signed file fetched over a real connection (logged as a request line).
    const file = await fetch(new URL(`${link.pathname}${link.search}`, base));
    expect(file.status).toBe(200);
    // SSE carries the access token in the query.
    const created = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      body: {
        prompt: "参考图生成",
        duration_sec: 10,
        ratio: "9:16",
        model: "skyriff-sim",
        reference_image_asset_id: uploaded.json().data.asset_id,
      },
    });
    expect(created.status).toBe(200);
    await t.ctx.jobs.idle();
    const events = await fetch(
      new URL(`/api/v1/tasks/${created.body.data.task_id}/events?access_token=${user.access_token}`, base),
    );
    await events.text();
    // The vendor rejected it, echoing the signed reference URL in its error (logged by the job).
    const task = await call(t, "GET", `/api/v1/tasks/${created.body.data.task_id}`, {
      token: user.access_token,
    });
    expect(task.body.data.status).toBe("FAILURE");

    // An S3 presigned link logged anywhere (say, in an error message) is scrubbed too.
    const s3 = createS3Storage({
      endpoint: "https://oss.example.com",
      region: "us-east-1",
      bucket: "b",
      accessKeyId: "AKIDLOGTEST",
      secretAccessKey: "s3cr3t",
      forcePathStyle: true,
    });
    const presigned = new URL((await s3.signedUrl("videos/v/source.mp4", { expiresInSec: 600 })).url);
    const amzSignature = presigned.searchParams.get("X-Amz-Signature") as string;
    const amzCredential = presigned.searchParams.get("X-Amz-Credential") as string;
    t.ctx.log.warn(
      { err: new Error(`fetch ${presigned} failed`), url: presigned.toString() },
      `echo ${presigned}`,
    );
    t.ctx.log.warn({ nested: encodeURIComponent(presigned.toString()) }, "encoded");

    const output = logLines.join("");
    expect(output).toContain("/files/uploads/");
    expect(output).toContain("vendor rejected the task");
    expect(output).toContain("[redacted]");
    for (const secret of [
      sig,
      user.access_token,
      amzSignature,
      amzCredential,
      encodeURIComponent(amzSignature),
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toMatch(/[?&]sig=(?!\[redacted\])/);
    expect(output).not.toMatch(/[?&]exp=(?!\[redacted\])/);
  });
});
