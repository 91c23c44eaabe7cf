import { randomInt, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

/** A non-envelope answer, an HTTP error, or an envelope with a non-zero code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** Calls the SkyRiff API and unwraps the `{code, message, data}` envelope. */
export async function apiRequest<T>(
  baseUrl: string,
  method: "GET" | "POST",
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: { code?: unknown; message?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new ApiError(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`, res.status);
  }
  if (!res.ok || parsed.code !== 0) {
    const code = typeof parsed.code === "number" ? parsed.code : undefined;
    throw new ApiError(
      `${method} ${path}: HTTP ${res.status}, code ${String(parsed.code)}: ${String(parsed.message)}`,
      res.status,
      code,
    );
  }
  return parsed.data as T;
}

/** A random mainland mobile number the backend accepts (1[3-9] + 9 digits). */
export function randomPhone(): string {
  return `1${randomInt(3, 10)}${String(randomInt(0, 1_000_000_000)).padStart(9, "0")}`;
}

export interface Login {
  phone: string;
  userId: string;
  accessToken: string;
}

/**
 * Logs in (registering on first use) through the SMS flow with the dev outbox: send a code, poll
 * GET /dev/sms/outbox until the in-process job has "delivered" it, verify. Needs NODE_ENV≠production.
 * `headers` go with every call, e.g. a distinct `x-forwarded-for` per login against a backend with
 * TRUST_PROXY=true (the SMS send limit is 20 per hour per client IP).
 */
export async function loginWithSms(
  baseUrl: string,
  phone = randomPhone(),
  timeoutMs = 15_000,
  headers: Record<string, string> = {},
): Promise<Login> {
  await apiRequest(baseUrl, "POST", "/api/v1/auth/sms/send", { body: { phone }, headers });
  const deadline = Date.now() + timeoutMs;
  let code: string | undefined;
  while (!code) {
    const outbox = await apiRequest<{ items: { code: string }[] }>(
      baseUrl,
      "GET",
      `/api/v1/dev/sms/outbox?phone=${encodeURIComponent(phone)}`,
      { headers },
    );
    code = outbox.items[0]?.code;
    if (code) break;
    if (Date.now() > deadline)
      throw new Error(`no SMS code for ${phone} in the dev outbox after ${timeoutMs} ms`);
    await sleep(100);
  }
  const login = await apiRequest<{ access_token: string; user: { user_id: string } }>(
    baseUrl,
    "POST",
    "/api/v1/auth/sms/verify",
    { body: { phone, code }, headers },
  );
  return { phone, userId: login.user.user_id, accessToken: login.access_token };
}

/** Grants credits through the dev endpoint (a ledger `bonus`); returns the new credits balance. */
export async function grantCredits(baseUrl: string, userId: string, credits: number): Promise<number> {
  const result = await apiRequest<{ balance_after: number }>(baseUrl, "POST", "/api/v1/dev/grant", {
    body: { user_id: userId, credits },
    headers: { "idempotency-key": randomUUID() },
  });
  return result.balance_after;
}

/** One plain GET, for a sanity check before a load run: status and body size in bytes. */
export async function probe(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes: body.length, body: body.toString("utf8") };
}
