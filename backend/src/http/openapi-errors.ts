/**
 * Error responses in `/openapi.json` (documentation only: runtime serialization is untouched).
 *
 * Every operation lists, per HTTP status, the `ErrorEnvelope` schema narrowed to the business codes
 * it can return (`code` enum, `x-error-codes`, and the codes in the description), so a generated
 * client (`openapi-typescript`) types errors too. The common ones are derived from the operation:
 *   - secured (bearerAuth)            → 401 [1001, 1002], 403 [1004]
 *   - any parameter or request body   → 422 [4220]
 *   - a JSON request body             → 413 [4220], 415 [4220]
 *   - an `Idempotency-Key` header     → 409 [2007] (key reused for another request)
 *   - a `config.rateLimit` route      → marked `x-rate-limited`; its 429 code must be in ROUTE_ERRORS
 *   - always                          → 500 [5001]
 * and the rest come from ONE central map, `ROUTE_ERRORS`, keyed by `METHOD /api/v1/path/:param`
 * (the codes each service can really return). A test fails when an operation has no entry.
 *
 *   app.register(swagger, { openapi, ...openapiErrorDocs() });
 */
import type { SwaggerTransformObject } from "@fastify/swagger";
import { ErrorCode, type ErrorCodeValue, errorEnvelope } from "@skyriff/contracts";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, defaultMessage } from "../lib/errors.js";

/** A code at its catalogue status (SPEC §10), or `[status, code]` when a route answers it with another. */
export type ErrorSpec = ErrorCodeValue | readonly [status: number, code: ErrorCodeValue];

const E = ErrorCode;

/** Route-specific errors, beyond the derived ones. Keep in step with the services. */
export const ROUTE_ERRORS: Record<string, readonly ErrorSpec[]> = {
  // auth
  "POST /api/v1/auth/sms/send": [E.INVALID_PHONE_OR_CODE, E.SMS_RATE_LIMITED],
  "POST /api/v1/auth/sms/verify": [E.INVALID_PHONE_OR_CODE, E.CODE_EXPIRED, E.USER_BANNED],
  "POST /api/v1/auth/refresh": [E.NOT_LOGGED_IN, E.TOKEN_EXPIRED, E.USER_BANNED],
  "POST /api/v1/auth/logout": [],
  "POST /api/v1/auth/wechat/init": [E.VENDOR_UNAVAILABLE],
  "POST /api/v1/auth/wechat/callback": [E.INVALID_PHONE_OR_CODE, E.USER_BANNED, E.VENDOR_UNAVAILABLE],
  "POST /api/v1/me/bind_phone": [E.INVALID_PHONE_OR_CODE, E.CODE_EXPIRED, E.USER_NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/me/delete_account": [E.USER_NOT_FOUND, E.STATE_CONFLICT],
  // users
  "GET /api/v1/me": [E.USER_NOT_FOUND],
  "PATCH /api/v1/me/profile": [[400, E.VALIDATION], E.USER_NOT_FOUND, E.NOT_FOUND],
  "GET /api/v1/me/home": [E.USER_NOT_FOUND],
  // wallet
  "GET /api/v1/me/wallets": [],
  "GET /api/v1/wallet/ledgers": [],
  // catalog
  "GET /api/v1/products": [],
  "GET /api/v1/config": [],
  // media: a bad file or a malformed multipart body is 400, too many parts 413 (both 4220)
  "POST /api/v1/media/upload": [
    [400, E.VALIDATION],
    [413, E.VALIDATION],
  ],
  "GET /api/v1/media/images/:id": [E.NOT_FOUND],
  // generation
  "POST /api/v1/tasks/create": [
    [400, E.VALIDATION],
    E.INSUFFICIENT_CREDITS,
    E.GENERATION_LIMIT,
    E.NOT_FOUND,
    E.STATE_CONFLICT,
  ],
  "GET /api/v1/tasks": [],
  "GET /api/v1/tasks/:id": [E.NOT_FOUND],
  "GET /api/v1/tasks/:id/events": [E.NOT_FOUND],
  // assets
  "GET /api/v1/assets/videos": [],
  "GET /api/v1/assets/videos/:id": [E.NOT_FOUND],
  "PATCH /api/v1/assets/videos/:id": [E.NOT_FOUND],
  "DELETE /api/v1/assets/videos/:id": [E.NOT_FOUND],
  "POST /api/v1/assets/videos/:id/download_no_watermark": [
    E.NOT_FOUND,
    E.NOT_ALLOWED,
    E.INSUFFICIENT_CREDITS,
    E.STATE_CONFLICT,
  ],
  // projects
  "GET /api/v1/projects": [],
  "POST /api/v1/projects": [],
  "PATCH /api/v1/projects/:id": [E.NOT_FOUND],
  "DELETE /api/v1/projects/:id": [E.NOT_FOUND],
  // creator income: the money actions on a work (issue 8 part B)
  "POST /api/v1/works/:id/tip_and_favorite": [
    E.NOT_FOUND,
    E.NOT_ALLOWED,
    E.INSUFFICIENT_CREDITS,
    E.STATE_CONFLICT,
  ],
  // optional auth: no header is anonymous, a bad or expired token is still 401
  "GET /api/v1/works/:id/prompt": [E.NOT_FOUND, E.NOT_LOGGED_IN, E.TOKEN_EXPIRED, E.USER_BANNED],
  "POST /api/v1/works/:id/prompt/unlock": [E.NOT_FOUND, E.INSUFFICIENT_CREDITS, E.STATE_CONFLICT],
  "POST /api/v1/works/:id/remix": [
    [400, E.VALIDATION],
    E.NOT_FOUND,
    E.NOT_ALLOWED,
    E.INSUFFICIENT_CREDITS,
    E.GENERATION_LIMIT,
    E.STATE_CONFLICT,
  ],
  // works (GET and share: sign-in optional; a bad token is still 401)
  "POST /api/v1/works/publish": [[400, E.VALIDATION], E.NOT_FOUND, E.STATE_CONFLICT],
  "GET /api/v1/works/:id": [E.NOT_FOUND],
  "DELETE /api/v1/works/:id": [E.NOT_FOUND, E.NOT_ALLOWED],
  "POST /api/v1/works/:id/share": [E.NOT_FOUND],
  // social
  "POST /api/v1/works/:id/like": [E.NOT_FOUND],
  "POST /api/v1/works/:id/unlike": [E.NOT_FOUND],
  "POST /api/v1/works/:id/favorite": [E.NOT_FOUND],
  "DELETE /api/v1/works/:id/favorite": [E.NOT_FOUND],
  "GET /api/v1/me/favorites": [],
  "POST /api/v1/users/:id/follow": [E.USER_NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/users/:id/unfollow": [E.USER_NOT_FOUND, E.STATE_CONFLICT],
  "GET /api/v1/users/:id/profile": [E.USER_NOT_FOUND],
  "GET /api/v1/users/:id/works": [E.USER_NOT_FOUND],
  "GET /api/v1/users/:id/followers": [E.USER_NOT_FOUND],
  "GET /api/v1/users/:id/following": [E.USER_NOT_FOUND],
  // feed (following requires sign-in: 401 without a token)
  "GET /api/v1/feed": [E.NOT_LOGGED_IN],
  "GET /api/v1/rankings/creators/tips": [],
  // payments (issue 9): prepay failures are 502/3001, the daily limit 400/3001
  "POST /api/v1/payments/create": [E.NOT_FOUND, E.STATE_CONFLICT, E.PAYMENT_FAILED, [502, E.PAYMENT_FAILED]],
  "POST /api/v1/coins/recharge/create_payment": [E.NOT_FOUND, E.PAYMENT_FAILED, [502, E.PAYMENT_FAILED]],
  "POST /api/v1/subscriptions/buy": [E.NOT_FOUND, E.PAYMENT_FAILED, [502, E.PAYMENT_FAILED]],
  "POST /api/v1/promoter/activate": [
    E.NOT_FOUND,
    E.STATE_CONFLICT,
    E.PAYMENT_FAILED,
    [502, E.PAYMENT_FAILED],
  ],
  "GET /api/v1/payments/me": [],
  "GET /api/v1/payments/:id": [E.PAYMENT_NOT_FOUND],
  // gateway notifications answer in the channel's own format; only an unknown channel is an envelope
  "POST /api/v1/payments/callback/:channel": [E.NOT_FOUND],
  "POST /api/v1/payments/callback": [E.NOT_FOUND],
  "GET /api/v1/subscriptions/me": [],
  "POST /api/v1/subscriptions/claim_daily": [E.ALREADY_CLAIMED, E.STATE_CONFLICT],
  "GET /api/v1/promoter/me": [],
  "GET /api/v1/promoter/invites": [],
  "GET /api/v1/promoter/commissions": [],
  "POST /api/v1/referrals/bind": [E.INVALID_REFERRAL, E.STATE_CONFLICT, E.USER_NOT_FOUND],
  // rewards and money out (issue 10)
  "GET /api/v1/tasks_center/today": [E.USER_NOT_FOUND],
  "POST /api/v1/tasks_center/claim": [E.STATE_CONFLICT],
  "GET /api/v1/withdrawals/rules": [E.USER_NOT_FOUND],
  "POST /api/v1/withdrawals/create": [E.WITHDRAW_AMOUNT, E.INSUFFICIENT_COINS, E.USER_NOT_FOUND],
  "GET /api/v1/withdrawals/me": [],
  "GET /api/v1/creator/earnings": [],
  "GET /api/v1/notifications": [],
  "GET /api/v1/notifications/unread_count": [],
  "POST /api/v1/notifications/read": [],
  // finance review (SPEC §7): without the role 403/2002
  "GET /api/v1/admin/withdrawals": [E.NOT_ALLOWED],
  "POST /api/v1/admin/withdrawals/:id/approve": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/admin/withdrawals/:id/reject": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/admin/withdrawals/:id/mark_paid": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  "GET /api/v1/admin/withdrawals/bank_batch.csv": [E.NOT_ALLOWED],
  // commission orders (SPEC §6)
  "POST /api/v1/orders/create": [E.ORDER_RULE, E.INSUFFICIENT_COINS],
  "GET /api/v1/orders/list": [],
  "GET /api/v1/orders/:id": [E.NOT_FOUND],
  "POST /api/v1/orders/:id/apply": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/award": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/deliver": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/accept": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/cancel_request": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/cancel_decide": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "POST /api/v1/orders/:id/dispute": [E.NOT_FOUND, E.NOT_ALLOWED, E.STATE_CONFLICT],
  "GET /api/v1/admin/orders": [E.NOT_ALLOWED],
  "GET /api/v1/admin/orders/:id": [E.NOT_ALLOWED, E.NOT_FOUND],
  "POST /api/v1/admin/orders/:id/settle": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  // catalog at runtime and jobs (SPEC §7): admin only (jobs: admin or finance), else 403/2002
  "GET /api/v1/admin/products": [E.NOT_ALLOWED],
  "PATCH /api/v1/admin/products/:id": [E.NOT_ALLOWED, E.NOT_FOUND],
  "GET /api/v1/admin/models": [E.NOT_ALLOWED],
  "PATCH /api/v1/admin/models/:id": [E.NOT_ALLOWED, E.NOT_FOUND],
  "PATCH /api/v1/admin/vendors/:vendor": [E.NOT_ALLOWED, E.NOT_FOUND],
  "GET /api/v1/admin/jobs": [E.NOT_ALLOWED],
  "GET /api/v1/admin/vendor-costs": [E.NOT_ALLOWED],
  // vendor callbacks: unknown vendor or task 404, a token that is not this task's 403
  "POST /api/v1/vendors/:vendor/callback/:token": [E.NOT_FOUND, E.NOT_ALLOWED],
  // admin console (SPEC §7)
  "GET /api/v1/admin/me": [E.NOT_ALLOWED, E.USER_NOT_FOUND],
  "GET /api/v1/admin/dashboard": [E.NOT_ALLOWED],
  "GET /api/v1/admin/users": [E.NOT_ALLOWED],
  "GET /api/v1/admin/users/:id": [E.NOT_ALLOWED, E.USER_NOT_FOUND],
  "POST /api/v1/admin/users/:id/ban": [E.NOT_ALLOWED, E.USER_NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/admin/users/:id/unban": [E.NOT_ALLOWED, E.USER_NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/admin/users/:id/adjust": [
    E.NOT_ALLOWED,
    E.USER_NOT_FOUND,
    E.INSUFFICIENT_CREDITS,
    E.INSUFFICIENT_COINS,
  ],
  "PUT /api/v1/admin/users/:id/roles": [E.NOT_ALLOWED, E.USER_NOT_FOUND],
  "GET /api/v1/admin/payments": [E.NOT_ALLOWED],
  "GET /api/v1/admin/payments/:id": [E.NOT_ALLOWED, E.PAYMENT_NOT_FOUND],
  "POST /api/v1/admin/payments/:id/requery": [E.NOT_ALLOWED, E.PAYMENT_NOT_FOUND, [502, E.PAYMENT_FAILED]],
  "GET /api/v1/admin/reconciliation": [E.NOT_ALLOWED, E.NOT_FOUND],
  "POST /api/v1/admin/reconciliation/run": [E.NOT_ALLOWED],
  "GET /api/v1/admin/works": [E.NOT_ALLOWED],
  "POST /api/v1/admin/works/:id/take_down": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/admin/works/:id/restore": [E.NOT_ALLOWED, E.NOT_FOUND, E.STATE_CONFLICT],
  "GET /api/v1/admin/sensitive_words": [E.NOT_ALLOWED],
  "PUT /api/v1/admin/sensitive_words": [E.NOT_ALLOWED],
  "GET /api/v1/admin/audit": [E.NOT_ALLOWED],
  // dev (not in production; loopback clients only unless DEV_TOOLS=1)
  "POST /api/v1/dev/roles": [E.USER_NOT_FOUND, E.NOT_ALLOWED],
  "GET /api/v1/dev/sms/outbox": [E.INVALID_PHONE_OR_CODE, E.NOT_ALLOWED],
  "POST /api/v1/dev/grant": [E.USER_NOT_FOUND, E.NOT_ALLOWED],
  "POST /api/v1/dev/payments/:id/complete": [E.PAYMENT_NOT_FOUND, E.STATE_CONFLICT],
  "POST /api/v1/dev/jobs/:name/run": [E.NOT_FOUND],
};

/** What `data` carries for codes that have details (SPEC §10). */
const DATA_HINT: Partial<Record<ErrorCodeValue, string>> = {
  [E.INSUFFICIENT_CREDITS]: "current_balance, required",
  [E.INSUFFICIENT_COINS]: "available, required",
  [E.ALREADY_CLAIMED]: "next_claim_at",
  [E.SMS_RATE_LIMITED]: "retry_after (seconds)",
  [E.GENERATION_LIMIT]: "reason, limit",
  [E.VALIDATION]: "fields: {<dotted field path>: reason}",
};

/** `METHOD /path/:param` for an OpenAPI operation (`/path/{param}`). */
export function routeKey(method: string, openapiPath: string): string {
  return `${method.toUpperCase()} ${openapiPath.replace(/\{([^}]+)\}/g, ":$1")}`;
}

const statusOf = (code: ErrorCodeValue): number => new AppError(code).status;

function add(into: Map<number, Set<ErrorCodeValue>>, status: number, code: ErrorCodeValue) {
  const codes = into.get(status) ?? new Set<ErrorCodeValue>();
  codes.add(code);
  into.set(status, codes);
}

interface Operation {
  security?: unknown[];
  parameters?: { in?: string; name?: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Per status, the codes `op` can answer with: derived ones plus its `ROUTE_ERRORS` entry. */
export function errorsOf(op: Operation, specific: readonly ErrorSpec[]): Map<number, Set<ErrorCodeValue>> {
  const out = new Map<number, Set<ErrorCodeValue>>();
  if (op.security && op.security.length > 0) {
    add(out, 401, E.NOT_LOGGED_IN);
    add(out, 401, E.TOKEN_EXPIRED);
    add(out, 403, E.USER_BANNED);
  }
  const params = op.parameters ?? [];
  if (params.length > 0 || op.requestBody) add(out, 422, E.VALIDATION);
  if (op.requestBody?.content && "application/json" in op.requestBody.content) {
    add(out, 413, E.VALIDATION);
    add(out, 415, E.VALIDATION);
  }
  if (params.some((p) => p.in === "header" && p.name?.toLowerCase() === "idempotency-key")) {
    add(out, 409, E.STATE_CONFLICT);
    add(out, 422, E.VALIDATION);
  }
  for (const spec of specific) {
    if (typeof spec === "number") add(out, statusOf(spec), spec);
    else add(out, spec[0], spec[1]);
  }
  add(out, 500, E.INTERNAL);
  return out;
}

function describe(codes: ErrorCodeValue[]): string {
  return codes
    .map((code) => {
      const hint = DATA_HINT[code];
      return `${code} ${defaultMessage(code, "en")} (${defaultMessage(code, "zh-CN")})${hint ? `; data: {${hint}}` : ""}`;
    })
    .join(". ");
}

const ENVELOPE_REF = "#/components/schemas/ErrorEnvelope";

function envelopeComponent() {
  const schema = z.toJSONSchema(errorEnvelope, { target: "openapi-3.0" }) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
  };
  const { minimum: _min, maximum: _max, ...code } = schema.properties.code ?? {};
  return {
    ...schema,
    description:
      "Every error (SPEC §0): HTTP status + business `code` (SPEC §10), `message` in the request's language (zh-CN default, `en` via Accept-Language), `data` with details or null.",
    properties: {
      ...schema.properties,
      code: { ...code, description: "business error code", enum: Object.values(ErrorCode) },
    },
  };
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type SwaggerTransform = typeof jsonSchemaTransform;
type TransformArg = Parameters<SwaggerTransform>[0];
interface OpenapiObject {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * The `transform` and `transformObject` options of @fastify/swagger: zod schemas → JSON Schema as
 * before, only `/api/...` routes documented (the WeChat sandbox stands in for WeChat, not this API),
 * and the error responses added to every operation.
 */
export function openapiErrorDocs(routeErrors: Record<string, readonly ErrorSpec[]> = ROUTE_ERRORS) {
  const rateLimited = new Set<string>();
  const transform: SwaggerTransform = (arg: TransformArg) => {
    if (!arg.url.startsWith("/api/")) return { schema: { hide: true }, url: arg.url };
    const config = (arg.route as { config?: { rateLimit?: unknown } }).config;
    if (config?.rateLimit) {
      const methods = [arg.route.method].flat();
      for (const m of methods) rateLimited.add(`${String(m).toUpperCase()} ${arg.url}`);
    }
    return jsonSchemaTransform(arg);
  };

  const transformObject: SwaggerTransformObject = (document) => {
    if (!("openapiObject" in document)) return document.swaggerObject;
    const doc = document.openapiObject as OpenapiObject;
    doc.components = {
      ...doc.components,
      schemas: { ...doc.components?.schemas, ErrorEnvelope: envelopeComponent() },
    };
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, raw] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method)) continue;
        const op = raw as Operation;
        const key = routeKey(method, path);
        const errors = errorsOf(op, routeErrors[key] ?? []);
        // A route under @fastify/rate-limit must list its 429 code in ROUTE_ERRORS (a test checks it).
        if (rateLimited.has(key)) op["x-rate-limited"] = true;
        const responses: Record<string, unknown> = { ...op.responses };
        for (const [status, set] of [...errors].sort((a, b) => a[0] - b[0])) {
          const codes = [...set].sort((a, b) => a - b);
          responses[String(status)] = {
            description: describe(codes),
            "x-error-codes": codes,
            content: {
              "application/json": {
                schema: {
                  allOf: [
                    { $ref: ENVELOPE_REF },
                    { type: "object", properties: { code: { type: "integer", enum: codes } } },
                  ],
                },
              },
            },
          };
        }
        op.responses = responses;
      }
    }
    return doc as ReturnType<SwaggerTransformObject>;
  };

  return { transform, transformObject };
}
