/**
 * Security defaults of every response (ARCHITECTURE §2): helmet headers with a CSP that fits the built
 * H5 app, the Swagger UI and the WeChat sandbox page; CORS same-origin unless `CORS_ORIGINS` lists more.
 *
 *   await registerSecurity(app, ctx);   // before any route
 *
 * The policy (docs/decisions.md, "Security defaults"):
 *   default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self';
 *   img-src 'self' data: blob: <storage> [<WeChat avatars>]; media-src 'self' blob: <storage>;
 *   font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self';
 *   object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'
 *   [; upgrade-insecure-requests when PUBLIC_BASE_URL is https]
 * The Swagger UI at /docs adds 'unsafe-inline' to style-src (`docsCsp`); the WeChat sandbox page sets
 * its own stricter policy (`default-src 'none'; style-src 'unsafe-inline'`), to which `frame-ancestors
 * 'none'` is appended.
 */
import fastifyCors from "@fastify/cors";

import { ErrorCode } from "@skyriff/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import type { AppConfig } from "../config/env.js";
import { AppError } from "../lib/errors.js";
import type { ObjectStorage } from "../providers/storage/types.js";

/** Where WeChat serves profile pictures (`headimgurl`), shown as avatars when WeChat login is on. */
const WECHAT_AVATAR_ORIGINS = ["https://thirdwx.qlogo.cn", "https://wx.qlogo.cn"];

export interface SecuritySettings {
  config: Pick<AppConfig, "CORS_ORIGINS" | "publicBaseUrl" | "WECHAT_OAUTH_APP_ID">;
  /** Origins of signed media links other than this server (an S3 bucket or CDN); empty for local storage. */
  mediaOrigins: string[];
}

/** The CSP directives (helmet's camelCase form) for this deployment. */
export function cspDirectives(s: SecuritySettings): Record<string, string[] | null> {
  const https = s.config.publicBaseUrl.startsWith("https:");
  const avatars = s.config.WECHAT_OAUTH_APP_ID ? WECHAT_AVATAR_ORIGINS : [];
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    // The built app needs no inline style: React and antd-mobile set styles through the CSSOM, which
    // CSP does not govern. Only the Swagger UI injects <style> (see docsCsp).
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:", "blob:", ...s.mediaOrigins, ...avatars],
    mediaSrc: ["'self'", "blob:", ...s.mediaOrigins],
    fontSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    // Over plain http (localhost, a LAN address in development) upgrading would break every asset.
    upgradeInsecureRequests: https ? [] : null,
  };
}

export function helmetOptions(s: SecuritySettings): HelmetOptions {
  const https = s.config.publicBaseUrl.startsWith("https:");
  return {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(s) },
    // The app can be served from another origin (CORS_ORIGINS) and embed our media: allow that only then.
    crossOriginResourcePolicy: { policy: "same-origin" },
    crossOriginOpenerPolicy: { policy: "same-origin" },
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    xFrameOptions: { action: "deny" },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
  };
}

/**
 * `transformStaticCSP` of @fastify/swagger-ui: its bundle injects <style> elements, so /docs (and only
 * /docs) allows inline styles. Scripts stay 'self'.
 */
export function docsCsp(header: string): string {
  return header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'");
}

/**
 * The origin of signed media links, found by signing a probe key with the configured storage (S3
 * presigning is local computation: no request is made). Local storage links are relative: none.
 */
export async function mediaOriginsOf(storage: ObjectStorage): Promise<string[]> {
  if (storage.kind === "local") return [];
  const { url } = await storage.signedUrl("csp-probe/probe.png", { expiresInSec: 60 });
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}

/** Own origin of this request, as the browser sees it (honours X-Forwarded-* with TRUST_PROXY). */
function ownOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function corsOriginAllowed(
  req: FastifyRequest,
  allowList: ReadonlySet<string>,
): { origin: string | undefined; allowed: boolean } {
  const origin = req.headers.origin;
  if (origin === undefined) return { origin, allowed: true };
  return { origin, allowed: allowList.has(origin) || origin === ownOrigin(req) };
}

const corsRefused = () =>
  new AppError(
    ErrorCode.NOT_ALLOWED,
    { reason: "cors_origin_not_allowed" },
    { zh: "不允许该来源的跨域请求", en: "Cross-origin requests from this origin are not allowed" },
  );

export async function registerSecurity(app: FastifyInstance, s: SecuritySettings): Promise<void> {
  // helmet's headers, computed once: @fastify/helmet calls helmet(options) again on every request,
  // re-parsing the whole policy (measured: a seventh of a trivial route's CPU).
  const headers = helmetHeaders(helmetOptions(s));
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(headers);
    done();
  });

  const allowList = new Set([...s.config.CORS_ORIGINS, new URL(s.config.publicBaseUrl).origin]);
  // A preflight from an origin not on the list is refused in the envelope (403/2002), not a bare 204.
  app.addHook("onRequest", async (req) => {
    if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) return;
    if (!corsOriginAllowed(req, allowList).allowed) throw corsRefused();
  });
  await app.register(fastifyCors, {
    // Only listed origins are ever reflected; same-origin requests need no CORS header at all.
    origin: (origin, cb) => cb(null, origin !== undefined && allowList.has(origin)),
    methods: ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "idempotency-key", "accept-language", "x-request-id"],
    exposedHeaders: ["x-request-id", "retry-after"],
    credentials: false,
    maxAge: 600,
    strictPreflight: false,
  });

  const crossOriginApp = s.config.CORS_ORIGINS.length > 0;
  app.addHook("onSend", async (req, reply) => {
    // A page may replace the CSP with its own (the WeChat sandbox); framing stays forbidden.
    const csp = reply.getHeader("content-security-policy");
    if (typeof csp === "string" && !/frame-ancestors/i.test(csp)) {
      reply.header("content-security-policy", `${csp.replace(/;\s*$/, "")}; frame-ancestors 'none'`);
    }
    if (crossOriginApp && /^\/(files|static)\//.test(req.url)) {
      reply.header("cross-origin-resource-policy", "cross-origin");
    }
  });
}

/** The headers helmet sets for `options`, captured once from its middleware. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as never, res as never, () => {});
  return headers;
}

/**
 * The helmet headers for answers written outside Fastify's hooks (bad URLs, raw socket errors): the
 * same options with a CSP that allows nothing (an error body loads nothing).
 */
export function staticSecurityHeaders(config: SecuritySettings["config"]): Record<string, string> {
  const { contentSecurityPolicy: _csp, ...rest } = helmetOptions({ config, mediaOrigins: [] });
  return helmetHeaders({
    ...rest,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });
}
