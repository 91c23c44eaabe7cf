import type { WithdrawalMethod } from "@skyriff/contracts";

/** How a withdrawal reaches the user (SPEC §5, payments-login-sms.md §1.7 / §2.3). */
export type PayoutChannel = "alipay" | "wechat" | "bank_csv" | "sandbox";

/** One transfer, named by our out-biz-no: sending it again is the same transfer, never a second one. */
export interface PayoutRequest {
  /** The withdrawal id without dashes (32 × [0-9a-f]): Alipay `out_biz_no`, WeChat `out_bill_no`. */
  outBizNo: string;
  /** Integer fen, never a float. */
  amountFen: bigint;
  method: WithdrawalMethod;
  payee: {
    /** The real name (Alipay checks it for a login id; WeChat requires it from ¥2,000, encrypted). */
    name: string;
    /** Alipay login id (phone / email), bank card number, or for WeChat the display account. */
    account: string;
    bankName?: string | null;
    /** WeChat: the user's openid under our app id. */
    openid?: string | null;
  };
  /** Shown to the payee (WeChat ≤ 32 chars). */
  remark: string;
}

export type PayoutResult =
  /** The money reached the payee. */
  | { state: "success"; gatewayRef: string | null; rawState: string }
  /** Accepted, not final yet (WeChat ACCEPTED / PROCESSING / WAIT_USER_CONFIRM / TRANSFERING, Alipay DEALING). */
  | { state: "processing"; gatewayRef: string | null; rawState: string }
  /** Definitively not paid (the coins go back): a refused payee, a closed bill, arrears. */
  | { state: "failed"; code: string; reason: string; rawState: string }
  /** We do not know (timeout, 5xx, SYSTEM_ERROR, an unverifiable answer): query before anything else. */
  | { state: "unknown"; reason: string }
  /** No API: a person transfers it (the bank-card CSV batch) and finance marks it paid. */
  | { state: "manual" };

export interface PayoutProvider {
  readonly channel: PayoutChannel;
  /** Starts (or, with the same outBizNo, repeats) the transfer. Never throws for a gateway answer. */
  transfer(req: PayoutRequest): Promise<PayoutResult>;
  /** The gateway's state of the transfer; `not_found` when it never received it (safe to send again). */
  query(req: PayoutRequest): Promise<PayoutResult | { state: "not_found" }>;
}
