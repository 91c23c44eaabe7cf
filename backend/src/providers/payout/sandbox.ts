/**
 * The development payout channel: no money moves. Every transfer succeeds, except to a payee account
 * containing "FAIL" (any case), which fails definitively so a developer can watch the coins come back.
 * Stateless and deterministic: the same request always gets the same answer, so retries are harmless.
 */
import type { PayoutProvider, PayoutRequest, PayoutResult } from "./types.js";

export const SANDBOX_GATEWAY_PREFIX = "SBX";

export class SandboxPayoutProvider implements PayoutProvider {
  readonly channel = "sandbox" as const;

  async transfer(req: PayoutRequest): Promise<PayoutResult> {
    return sandboxAnswer(req);
  }

  async query(req: PayoutRequest): Promise<PayoutResult> {
    return sandboxAnswer(req);
  }
}

function sandboxAnswer(req: PayoutRequest): PayoutResult {
  if (/fail/i.test(req.payee.account))
    return { state: "failed", code: "PAYEE_ACCOUNT_INVALID", reason: "收款账户无效(沙箱)", rawState: "FAIL" };
  return { state: "success", gatewayRef: `${SANDBOX_GATEWAY_PREFIX}${req.outBizNo}`, rawState: "SUCCESS" };
}
