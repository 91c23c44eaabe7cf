import { VendorError } from "./types.js";

/**
 * The one HTTP path of every vendor adapter. It turns every way a call can go wrong into a VendorError:
 * - the adapter's `classify` first: a vendor's own error code decides where it has one (Kling answers
 *   429 for arrears, Ark 429 for a paused model: definitive, not a rate limit);
 * - then: 408, 429 (with Retry-After), 5xx, malformed JSON → `transient`; any other 4xx → `rejected`,
 *   carrying the vendor's own message;
 * - a network failure before the request could reach the vendor (refused, DNS, TLS) → `transient`;
 * - a timeout, reset or unreadable answer once the request may have reached the vendor: `transient` for
 *   a read, but `unanswered` for a create (`createsTask`), which the vendor may have accepted.
 * Messages never contain the API key (it is redacted should a vendor echo it back).
 */
export interface VendorRequest {
  /** Vendor label for messages, e.g. "dyuapi". */
  vendor: string;
  method: "GET" | "POST";
  url: string;
  apiKey: string;
  /** JSON body (POST). */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** `manual` returns 3xx responses as they are (for a redirecting download endpoint). */
  redirect?: "follow" | "manual";
  /**
   * True for a call that creates a vendor task: once sent, a lost or unreadable answer is `unanswered`
   * (the vendor may have accepted it and will charge for it), never `transient`.
   */
  createsTask?: boolean;
  /** The vendor's own classification of an error answer; null (or absent) falls back to the HTTP status. */
  classify?: (failure: VendorFailure) => VendorErrorKind | null;
}

export type VendorErrorKind = VendorError["kind"];

/** An error answer as `VendorRequest.classify` sees it. */
export interface VendorFailure {
  status: number;
  /** The vendor's machine-readable code (`errorCodeOf`), when it gives one. */
  code: string | null;
  /** The vendor's message (`errorMessageOf`), when it gives one. */
  message: string | null;
  /** The parsed JSON body, or null. */
  body: unknown;
}

const MAX_MESSAGE = 500;

export function redact(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join("***") : text;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "(invalid url)";
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

/** Failures that happen before a byte of the request reaches the vendor: safe to send again. */
const BEFORE_SENDING = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_INVALID_ARG",
  "ERR_INVALID_URL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);

function causeCode(err: unknown): string | null {
  const cause = err instanceof Error ? (err as { cause?: unknown }).cause : null;
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : null;
  return typeof code === "string" ? code : null;
}

/**
 * Whether a fetch failure certainly happened before the request was sent. A timeout is never certain:
 * the deadline may have struck while the vendor was processing the request.
 */
export function failedBeforeSending(err: unknown): boolean {
  if (isTimeout(err)) return false;
  const code = causeCode(err);
  return code !== null && BEFORE_SENDING.has(code);
}

/** The kind of a failure after which the vendor's answer is unknown. */
function lostAnswerKind(req: VendorRequest): VendorErrorKind {
  return req.createsTask ? "unanswered" : "transient";
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? code : cause.message;
  }
  return err.message;
}

/** Retry-After as delta-seconds or an HTTP date → milliseconds (≥ 0); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === "") return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function asString(v: unknown): string | null {
  if (typeof v === "string" && v.trim() !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** A progress value as vendors send it (45, 45.5, "45", "45%") → integer 0–100, or null. */
export function parseProgress(v: unknown): number | null {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && v.trim() !== "") n = Number(v.trim().replace(/%$/, ""));
  else return null;
  if (!Number.isFinite(n)) return null;
  return Math.min(100, Math.max(0, Math.round(n)));
}

/**
 * The human-readable reason in an error body, whatever its shape: OpenAI/Ark `{error:{message,code}}`,
 * DashScope `{code,message}` (also under `output`), `{error:"…"}`, `{msg}`, `{fail_reason}`, `{detail}`.
 */
export function errorMessageOf(body: unknown): string | null {
  const b = asRecord(body);
  if (!b) return null;
  const err = b.error;
  const errRec = asRecord(err);
  const out = asRecord(b.output);
  return (
    asString(errRec?.message) ??
    asString(errRec?.detail) ??
    (typeof err === "string" && err.trim() !== "" ? err : null) ??
    asString(b.message) ??
    asString(out?.message) ??
    asString(b.msg) ??
    asString(b.fail_reason) ??
    asString(b.detail) ??
    null
  );
}

/** The vendor's machine-readable error code, when it gives one. */
export function errorCodeOf(body: unknown): string | null {
  const b = asRecord(body);
  if (!b) return null;
  const errRec = asRecord(b.error);
  return asString(errRec?.code) ?? asString(errRec?.type) ?? asString(b.code) ?? null;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE)}…` : one;
}

async function readText(res: Response, req: VendorRequest): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    const path = pathOf(req.url);
    // The status line arrived: the vendor has the request, only its answer is lost.
    const kind = res.ok ? lostAnswerKind(req) : "transient";
    if (isTimeout(err)) {
      throw new VendorError(
        kind,
        `${req.vendor}: ${req.method} ${path} timed out after ${req.timeoutMs} ms (reading the body)`,
      );
    }
    throw new VendorError(
      kind,
      redact(`${req.vendor}: ${req.method} ${path} body read failed (${networkReason(err)})`, req.apiKey),
    );
  }
}

async function failure(res: Response, req: VendorRequest): Promise<VendorError> {
  let text = "";
  try {
    text = await readText(res, req);
  } catch {
    // the status alone decides
  }
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  const ownMessage = errorMessageOf(parsed);
  const vendorMessage = ownMessage ?? (text.trim() !== "" ? text : res.statusText || "no message");
  const code = errorCodeOf(parsed);
  const message = redact(
    `${clip(vendorMessage)} (${req.vendor} HTTP ${res.status}${code ? ` ${clip(code)}` : ""})`,
    req.apiKey,
  );
  const kind =
    req.classify?.({ status: res.status, code, message: ownMessage, body: parsed }) ?? statusKind(res.status);
  const retryAfter = kind === "transient" ? parseRetryAfter(res.headers.get("retry-after")) : null;
  return new VendorError(kind, message, retryAfter);
}

/** The generic rule, when the vendor's code does not decide. */
export function statusKind(status: number): VendorErrorKind {
  return status === 429 || status === 408 || status >= 500 ? "transient" : "rejected";
}

/** Sends the request; resolves with a 2xx (or, with `redirect: "manual"`, 3xx) response, else throws. */
export async function vendorFetch(req: VendorRequest): Promise<Response> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${req.apiKey}`,
    Accept: "application/json",
    ...req.headers,
  };
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: req.redirect ?? "follow",
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    const path = pathOf(req.url);
    const kind = failedBeforeSending(err) ? "transient" : lostAnswerKind(req);
    if (isTimeout(err)) {
      throw new VendorError(kind, `${req.vendor}: ${req.method} ${path} timed out after ${req.timeoutMs} ms`);
    }
    throw new VendorError(
      kind,
      redact(`${req.vendor}: ${req.method} ${path} network error (${networkReason(err)})`, req.apiKey),
    );
  }
  if (res.status >= 200 && res.status < 300) return res;
  if (req.redirect === "manual" && res.status >= 300 && res.status < 400) return res;
  throw await failure(res, req);
}

/**
 * Reads a 2xx body as JSON; anything unparseable is a transient error (`unanswered` for a create: the
 * vendor took the request, we cannot read which task it made).
 */
export async function readJson(res: Response, req: VendorRequest): Promise<unknown> {
  const text = await readText(res, req);
  try {
    return JSON.parse(text);
  } catch {
    throw new VendorError(
      lostAnswerKind(req),
      redact(
        `${req.vendor}: ${req.method} ${pathOf(req.url)} answered HTTP ${res.status} with malformed JSON: ${clip(text.slice(0, 120)) || "(empty)"}`,
        req.apiKey,
      ),
    );
  }
}

/** vendorFetch + readJson. */
export async function vendorJson(req: VendorRequest): Promise<unknown> {
  const res = await vendorFetch(req);
  return readJson(res, req);
}

/** A `key=value,key=value` setting (DYUAPI_MODELS, ARK_ENDPOINTS) → a Map; malformed entries are skipped. */
export function parsePairs(spec: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const entry of (spec ?? "").split(",")) {
    const at = entry.indexOf("=");
    const key = entry.slice(0, Math.max(0, at)).trim();
    const value = entry.slice(at + 1).trim();
    if (at > 0 && key && value) pairs.set(key, value);
  }
  return pairs;
}

/** Normalises a configured base URL: no trailing slashes. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Keeps the VideoVendor promise "never throws anything but VendorError". */
export function asVendorError(err: unknown, vendor: string, apiKey: string): VendorError {
  if (err instanceof VendorError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new VendorError("transient", redact(`${vendor}: unexpected error (${clip(msg)})`, apiKey));
}
