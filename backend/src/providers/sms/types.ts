/** Outcome of one SMS hand-off to a provider. `retryable` tells the job runner whether to try again. */
export type SmsSendOutcome =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retryable: boolean; error: string };

/** Sends a login verification code. Implementations never throw for provider-side refusals. */
export interface SmsProvider {
  readonly name: "console" | "aliyun" | "tencent";
  sendCode(input: { phone: string; code: string; ttlMinutes: number }): Promise<SmsSendOutcome>;
}
