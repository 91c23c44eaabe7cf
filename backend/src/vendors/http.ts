import { VendorError } from "./types.js";

/**
 * The one HTTP path of every vendor adapter. It turns every way a call can go wrong into a VendorError:
 * - timeout (headers or body), network error, 408, 429 (with Retry-After), 5xx, malformed JSON → `transient`;
 * - any other 4xx (400/401/403/404/422 …) → `rejected`, carrying the vendor's own message.
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
    if (isTimeout(err)) {
      throw new VendorError(
        "transient",
        `${req.vendor}: ${req.method} ${path} timed out after ${req.timeoutMs} ms (reading the body)`,
      );
    }
    throw new VendorError(
      "transient",
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
  const vendorMessage =
    errorMessageOf(parsed) ?? (text.trim() !== "" ? text : res.statusText || "no message");
  const code = errorCodeOf(parsed);
  const message = redact(
    `${clip(vendorMessage)} (${req.vendor} HTTP ${res.status}${code ? ` ${clip(code)}` : ""})`,
    req.apiKey,
  );
  const s = res.status;
  if (s === 429 || s === 408 || s >= 500) {
    return new VendorError("transient", message, parseRetryAfter(res.headers.get("retry-after")));
  }
  return new VendorError("rejected", message);
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
    if (isTimeout(err)) {
      throw new VendorError(
        "transient",
        `${req.vendor}: ${req.method} ${path} timed out after ${req.timeoutMs} ms`,
      );
    }
    throw new VendorError(
      "transient",
      redact(`${req.vendor}: ${req.method} ${path} network error (${networkReason(err)})`, req.apiKey),
    );
  }
  if (res.status >= 200 && res.status < 300) return res;
  if (req.redirect === "manual" && res.status >= 300 && res.status < 400) return res;
  throw await failure(res, req);
}

/** Reads a 2xx body as JSON; anything unparseable is a transient error. */
export async function readJson(res: Response, req: VendorRequest): Promise<unknown> {
  const text = await readText(res, req);
  try {
    return JSON.parse(text);
  } catch {
    throw new VendorError(
      "transient",
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
