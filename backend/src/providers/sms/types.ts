/**
 * Why a send failed:
 * - `rate_limited`: the provider's own flow control refused this number (Aliyun `isv.BUSINESS_LIMIT_CONTROL`,
 *   Tencent `LimitExceeded.*`). Not retryable: retrying soon hits the same limit.
 * - `auth`: credentials or signature rejected (misconfiguration). Not retryable.
 * - `rejected`: the provider refused the request (bad number, unapproved sign/template, no balance…). Not retryable.
 * - `unavailable`: HTTP 5xx or a provider-side system error. Retryable.
 * - `timeout`: no answer within `timeoutMs`. Retryable (providers do not dedupe, so a retry may send twice).
 * - `network`: connection refused/reset, DNS failure. Retryable.
 * - `bad_response`: the body was not the JSON the protocol promises. Retryable only after an HTTP 5xx.
 */
export type SmsFailureReason =
  | "rate_limited"
  | "auth"
  | "rejected"
  | "unavailable"
  | "timeout"
  | "network"
  | "bad_response";

/** Outcome of one SMS hand-off to a provider. `retryable` tells the job runner whether to try again. */
export type SmsSendOutcome =
  | { ok: true; providerMessageId: string | null }
  | {
      ok: false;
      retryable: boolean;
      /** Log-safe description (never contains the verification code). */
      error: string;
      /** Set by every built-in provider; optional so hand-written fakes stay valid. */
      reason?: SmsFailureReason;
      /** The provider's own error code when there is one (e.g. `isv.BUSINESS_LIMIT_CONTROL`). */
      providerCode?: string;
    };

/** Sends a login verification code. Implementations never throw for provider-side refusals. */
export interface SmsProvider {
  readonly name: "console" | "aliyun" | "tencent";
  sendCode(input: { phone: string; code: string; ttlMinutes: number }): Promise<SmsSendOutcome>;
}

/** `+8613800000000`, `008613800000000`, `86 138-0000-0000` → `13800000000`. Other input is returned trimmed. */
export function mainlandNumber(phone: string): string {
  const compact = phone.replace(/[\s-]/g, "");
  const m = /^(?:\+86|0086|86)?(1\d{10})$/.exec(compact);
  return m?.[1] ?? compact;
}

/** `13800000000` → `138****0000` for logs. */
export function maskPhone(phone: string): string {
  const n = mainlandNumber(phone);
  if (n.length < 7) return "****";
  return `${n.slice(0, 3)}****${n.slice(-4)}`;
}
