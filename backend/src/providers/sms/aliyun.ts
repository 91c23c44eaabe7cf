/**
 * Aliyun SMS (dysmsapi 2017-05-25) `SendSms`, signed with ACS3-HMAC-SHA256.
 * Parameters travel in the query string of a `POST /` with an empty body, as the official SDK sends them.
 * Doc: https://help.aliyun.com/document_detail/55284.html
 */
import { randomBytes } from "node:crypto";
import { formatAcsDate, signAcs3 } from "./signing.js";
import { mainlandNumber, type SmsFailureReason, type SmsProvider, type SmsSendOutcome } from "./types.js";

export const ALIYUN_SMS_DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com";
const VERSION = "2017-05-25";

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  /** Base URL, default `https://dysmsapi.aliyuncs.com`. */
  endpoint?: string;
  /** Whole-request timeout (headers and body), default 5000 ms. */
  timeoutMs?: number;
  now?: () => Date;
  nonce?: () => string;
}

interface AliyunResponse {
  Code?: unknown;
  Message?: unknown;
  BizId?: unknown;
  RequestId?: unknown;
}

function fail(
  reason: SmsFailureReason,
  retryable: boolean,
  error: string,
  providerCode?: string,
): SmsSendOutcome {
  return providerCode === undefined
    ? { ok: false, retryable, error, reason }
    : { ok: false, retryable, error, reason, providerCode };
}

/** Maps a non-OK `Code` to an outcome. */
export function classifyAliyunCode(code: string, message: string): SmsSendOutcome {
  const error = `aliyun ${code}: ${message}`;
  if (code.includes("LIMIT_CONTROL") || code.startsWith("Throttling")) {
    return fail("rate_limited", false, error, code);
  }
  if (
    code.startsWith("isp.") ||
    code === "InternalError" ||
    code === "ServiceUnavailable" ||
    code.startsWith("ServiceUnavailable")
  ) {
    return fail("unavailable", true, error, code);
  }
  if (
    code === "SignatureDoesNotMatch" ||
    code === "IncompleteSignature" ||
    code === "SignatureNonceUsed" ||
    code.startsWith("InvalidAccessKeyId") ||
    code.startsWith("Forbidden") ||
    code === "isv.ACCOUNT_ABNORMAL" ||
    code === "isv.ACCOUNT_NOT_EXISTS"
  ) {
    return fail("auth", false, error, code);
  }
  return fail("rejected", false, error, code);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

export function createAliyunSmsProvider(opts: AliyunSmsOptions): SmsProvider {
  const base = new URL(opts.endpoint ?? ALIYUN_SMS_DEFAULT_ENDPOINT);
  const path = base.pathname === "" ? "/" : base.pathname;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const now = opts.now ?? (() => new Date());
  const nonce = opts.nonce ?? (() => randomBytes(16).toString("hex"));

  return {
    name: "aliyun",
    async sendCode({ phone, code }) {
      const signed = signAcs3({
        accessKeyId: opts.accessKeyId,
        accessKeySecret: opts.accessKeySecret,
        method: "POST",
        host: base.host,
        path,
        query: {
          PhoneNumbers: mainlandNumber(phone),
          SignName: opts.signName,
          TemplateCode: opts.templateCode,
          TemplateParam: JSON.stringify({ code }),
        },
        body: "",
        action: "SendSms",
        version: VERSION,
        date: formatAcsDate(now()),
        nonce: nonce(),
      });
      const { host: _host, ...headers } = signed.headers;
      const url = `${base.origin}${path}?${signed.queryString}`;

      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { ...headers, accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        if (isTimeout(err)) return fail("timeout", true, `aliyun: no answer within ${timeoutMs} ms`);
        return fail("network", true, `aliyun: ${err instanceof Error ? err.message : String(err)}`);
      }

      let body: AliyunResponse;
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as AliyunResponse;
      } catch {
        if (status >= 500) return fail("unavailable", true, `aliyun: HTTP ${status}`);
        return fail("bad_response", false, `aliyun: HTTP ${status} with a non-JSON body`);
      }

      const respCode = typeof body.Code === "string" ? body.Code : null;
      const message = typeof body.Message === "string" ? body.Message : "";
      if (respCode === "OK" && status < 300) {
        return { ok: true, providerMessageId: typeof body.BizId === "string" ? body.BizId : null };
      }
      if (respCode !== null && respCode !== "OK") {
        const outcome = classifyAliyunCode(respCode, message);
        if (status >= 500 && !outcome.ok && outcome.reason === "rejected") {
          return fail("unavailable", true, outcome.error, respCode);
        }
        return outcome;
      }
      if (status >= 500) return fail("unavailable", true, `aliyun: HTTP ${status}`);
      return fail("bad_response", false, `aliyun: HTTP ${status} without a Code`);
    },
  };
}
