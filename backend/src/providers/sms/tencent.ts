/**
 * Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11), signed with TC3-HMAC-SHA256.
 * Doc: https://cloud.tencent.com/document/api/382/55981 — errors: https://cloud.tencent.com/document/api/382/59177
 * Tencent answers HTTP 200 for business errors: either `Response.Error` (request-level) or a per-number
 * `SendStatusSet[i].Code` other than `Ok`.
 */
import { signTc3 } from "./signing.js";
import { mainlandNumber, type SmsFailureReason, type SmsProvider, type SmsSendOutcome } from "./types.js";

export const TENCENT_SMS_DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com";
const VERSION = "2021-01-11";
const SERVICE = "sms";
const CONTENT_TYPE = "application/json; charset=utf-8";

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  /** Default `ap-guangzhou`. */
  region?: string;
  /** Base URL, default `https://sms.tencentcloudapi.com`. */
  endpoint?: string;
  /** Whole-request timeout (headers and body), default 5000 ms. */
  timeoutMs?: number;
  now?: () => Date;
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

/** Maps a Tencent error code (request-level or per-number) to an outcome. */
export function classifyTencentCode(code: string, message: string): SmsSendOutcome {
  const error = `tencent ${code}: ${message}`;
  if (code === "LimitExceeded" || code.startsWith("LimitExceeded."))
    return fail("rate_limited", false, error, code);
  if (code.startsWith("AuthFailure") || code.startsWith("UnauthorizedOperation")) {
    return fail("auth", false, error, code);
  }
  if (
    code === "RequestLimitExceeded" ||
    code.startsWith("RequestLimitExceeded.") ||
    code === "InternalError" ||
    code === "InternalError.Timeout" ||
    code === "InternalError.OtherError" ||
    code === "ResourceUnavailable" ||
    code.startsWith("ResourceUnavailable.")
  ) {
    return fail("unavailable", true, error, code);
  }
  return fail("rejected", false, error, code);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function createTencentSmsProvider(opts: TencentSmsOptions): SmsProvider {
  const base = new URL(opts.endpoint ?? TENCENT_SMS_DEFAULT_ENDPOINT);
  const url = `${base.origin}/`;
  const region = opts.region ?? "ap-guangzhou";
  const timeoutMs = opts.timeoutMs ?? 5000;
  const now = opts.now ?? (() => new Date());

  return {
    name: "tencent",
    async sendCode({ phone, code, ttlMinutes }) {
      const payload = JSON.stringify({
        PhoneNumberSet: [`+86${mainlandNumber(phone)}`],
        SmsSdkAppId: opts.sdkAppId,
        SignName: opts.signName,
        TemplateId: opts.templateId,
        TemplateParamSet: [code, String(ttlMinutes)],
      });
      const timestamp = Math.floor(now().getTime() / 1000);
      const signed = signTc3({
        secretId: opts.secretId,
        secretKey: opts.secretKey,
        service: SERVICE,
        host: base.host,
        timestamp,
        payload,
        contentType: CONTENT_TYPE,
        extraSignedHeaders: { "x-tc-action": "SendSms" },
      });

      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            authorization: signed.authorization,
            "content-type": CONTENT_TYPE,
            "x-tc-action": "SendSms",
            "x-tc-version": VERSION,
            "x-tc-timestamp": String(timestamp),
            "x-tc-region": region,
            accept: "application/json",
          },
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        if (isTimeout(err)) return fail("timeout", true, `tencent: no answer within ${timeoutMs} ms`);
        return fail("network", true, `tencent: ${err instanceof Error ? err.message : String(err)}`);
      }

      if (status >= 500) return fail("unavailable", true, `tencent: HTTP ${status}`);
      let response: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isRecord(parsed) || !isRecord(parsed.Response)) throw new Error("no Response object");
        response = parsed.Response;
      } catch {
        return fail("bad_response", false, `tencent: HTTP ${status} without a JSON Response object`);
      }

      if (isRecord(response.Error)) {
        const errCode = str(response.Error.Code) || "UnknownError";
        return classifyTencentCode(errCode, str(response.Error.Message));
      }
      const set = response.SendStatusSet;
      const first: unknown = Array.isArray(set) ? set[0] : undefined;
      if (!isRecord(first)) return fail("bad_response", false, "tencent: response without SendStatusSet");
      const sendCode = str(first.Code);
      if (sendCode === "Ok") {
        const serial = str(first.SerialNo);
        return { ok: true, providerMessageId: serial === "" ? null : serial };
      }
      return classifyTencentCode(sendCode || "UnknownError", str(first.Message));
    },
  };
}
