/**
 * Request signing for the SMS gateways. Pure functions: every time- or randomness-dependent input
 * (date, timestamp, nonce) is passed in, so tests can pin them to the providers' published vectors.
 *
 * - Aliyun OpenAPI signature V3 (`ACS3-HMAC-SHA256`):
 *   https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature
 * - Tencent Cloud API 3.0 signature v3 (`TC3-HMAC-SHA256`):
 *   https://cloud.tencent.com/document/api/382/52072
 */
import { createHash, createHmac } from "node:crypto";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hmacSha256(key: string | Uint8Array, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay literal; space is `%20`, `*` is `%2A`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Sorted `k=v&…` with both sides RFC 3986-encoded (the query-string form both gateways sign). */
export function canonicalQueryString(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? "")}`)
    .join("&");
}

// ---------------------------------------------------------------------------------------------
// Aliyun ACS3-HMAC-SHA256
// ---------------------------------------------------------------------------------------------

export const ACS3_ALGORITHM = "ACS3-HMAC-SHA256";

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, the format of `x-acs-date`. */
export function formatAcsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface Acs3SignInput {
  accessKeyId: string;
  accessKeySecret: string;
  /** Upper-case HTTP method, e.g. `POST`. */
  method: string;
  /** Host header value as sent (`dysmsapi.aliyuncs.com`, or `127.0.0.1:PORT` for a fake). */
  host: string;
  /** Canonical URI; RPC-style APIs such as SendSms use `/`. */
  path?: string;
  /** Parameters sent in the query string (unencoded). */
  query: Record<string, string>;
  /** Exact request body; empty string when there is none. */
  body?: string;
  action: string;
  version: string;
  /** `x-acs-date`, see {@link formatAcsDate}. */
  date: string;
  /** `x-acs-signature-nonce`, unique per request. */
  nonce: string;
  /** Further headers to send and sign (e.g. `content-type`, `x-acs-security-token`). */
  extraHeaders?: Record<string, string>;
}

export interface SignedRequest {
  /** Headers to send (lower-case names, `host` included so callers can check it against the URL). */
  headers: Record<string, string>;
  /** Encoded query string to append after `?` (empty when there are no parameters). */
  queryString: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

/** Lower-cased, sorted header map → `CanonicalHeaders` and `SignedHeaders`. */
function canonicalize(
  headers: Record<string, string>,
  lowerValues: boolean,
): { canonical: string; signed: string } {
  const entries = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), lowerValues ? v.trim().toLowerCase() : v.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    canonical: entries.map(([k, v]) => `${k}:${v}\n`).join(""),
    signed: entries.map(([k]) => k).join(";"),
  };
}

/** Signs one Aliyun OpenAPI request with signature V3. All headers it returns are signed. */
export function signAcs3(input: Acs3SignInput): SignedRequest {
  const body = input.body ?? "";
  const queryString = canonicalQueryString(input.query);
  const headers: Record<string, string> = {
    host: input.host,
    "x-acs-action": input.action,
    "x-acs-version": input.version,
    "x-acs-date": input.date,
    "x-acs-signature-nonce": input.nonce,
    "x-acs-content-sha256": sha256Hex(body),
  };
  for (const [k, v] of Object.entries(input.extraHeaders ?? {})) headers[k.toLowerCase()] = v;
  const { canonical, signed } = canonicalize(headers, false);
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path ?? "/",
    queryString,
    canonical,
    signed,
    headers["x-acs-content-sha256"],
  ].join("\n");
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = hmacSha256(input.accessKeySecret, stringToSign).toString("hex");
  const authorization = `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signed},Signature=${signature}`;
  return {
    headers: { ...headers, authorization },
    queryString,
    canonicalRequest,
    stringToSign,
    signature,
    authorization,
  };
}

// ---------------------------------------------------------------------------------------------
// Tencent Cloud TC3-HMAC-SHA256
// ---------------------------------------------------------------------------------------------

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

/** UTC calendar date (`YYYY-MM-DD`) of a unix timestamp in seconds, as used in the credential scope. */
export function tc3Date(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

export interface Tc3SignInput {
  secretId: string;
  secretKey: string;
  /** Product name, e.g. `sms` (the first label of `sms.tencentcloudapi.com`). */
  service: string;
  /** Host header value as sent. */
  host: string;
  /** Unix seconds, the value of `X-TC-Timestamp`. */
  timestamp: number;
  /** Exact JSON body bytes. */
  payload: string;
  method?: string;
  contentType?: string;
  /** Extra headers to sign besides `content-type` and `host` (e.g. `{ "x-tc-action": "SendSms" }`). */
  extraSignedHeaders?: Record<string, string>;
}

export interface Tc3Signed {
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signedHeaders: string;
  signature: string;
  authorization: string;
}

export function signTc3(input: Tc3SignInput): Tc3Signed {
  const method = (input.method ?? "POST").toUpperCase();
  const headers: Record<string, string> = {
    "content-type": input.contentType ?? "application/json; charset=utf-8",
    host: input.host,
    ...input.extraSignedHeaders,
  };
  // Tencent lower-cases header values too (the SDKs sign `x-tc-action:sendsms`).
  const { canonical, signed } = canonicalize(headers, true);
  const canonicalRequest = [method, "/", "", canonical, signed, sha256Hex(input.payload)].join("\n");
  const date = tc3Date(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [
    TC3_ALGORITHM,
    String(input.timestamp),
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join("\n");
  const secretDate = hmacSha256(`TC3${input.secretKey}`, date);
  const secretService = hmacSha256(secretDate, input.service);
  const secretSigning = hmacSha256(secretService, "tc3_request");
  const signature = hmacSha256(secretSigning, stringToSign).toString("hex");
  const authorization = `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signed}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, credentialScope, signedHeaders: signed, signature, authorization };
}
