import type { PayChannel, PayClient } from "@skyriff/contracts";

/** What a gateway needs to open one order (amounts in fen, never floats). */
export interface PrepayOrder {
  /** Our order number at the gateway: 32 chars of [0-9a-f] (the payment id without dashes). */
  outTradeNo: string;
  amountFen: number;
  /** Shown to the payer (WeChat `description` ≤ 127 chars, Alipay `subject`). */
  description: string;
  client: PayClient;
  expireAt: Date;
  /** The payer's WeChat openid under our app id; required for `jsapi`. */
  payerOpenid?: string | null;
  /** The payer's IP as the server sees it (WeChat H5 requires it). */
  payerIp: string;
  /** Where the gateway posts its asynchronous notification (https, no query string for WeChat). */
  notifyUrl: string;
  /** Where the payer's browser returns after paying (H5 / WAP / the sandbox cashier). */
  returnUrl: string;
}

/** What the client needs to pay (see `payParams` in the contracts for the fields per channel). */
export type PayParams = Record<string, string>;

/** The gateway's view of one order, from a verified notification or a query. */
export interface GatewayTrade {
  outTradeNo: string;
  /** The gateway's own id (WeChat transaction_id, Alipay trade_no); null while unpaid. */
  gatewayTradeNo: string | null;
  /** paid: money taken; pending: not paid yet (may still be); closed: will never be paid. */
  state: "paid" | "pending" | "closed";
  /** The gateway's own status word (SUCCESS, TRADE_FINISHED, NOTPAY …), kept for the log. */
  rawState: string;
  amountFen: number;
  currency: string;
  appId: string;
  merchantId: string;
  paidAt: Date | null;
}

/** An incoming notification exactly as it arrived: the raw body is what was signed. */
export interface NotifyRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export type NotifyRejection =
  /** The signature does not verify (includes WeChat's deliberate probes). */
  | "bad_signature"
  /** Outside the replay window (WeChat: ±300 s). */
  | "stale"
  /** Not the gateway's format, or the ciphertext does not decrypt. */
  | "malformed";

export type NotifyVerdict =
  | { ok: true; trade: GatewayTrade; eventId: string; eventType: string; payload: unknown }
  | { ok: false; reason: NotifyRejection; detail: string };

/** How the channel wants its notification answered. */
export interface NotifyAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * One payment channel. Providers verify what the gateway proves (signature, freshness, decryption);
 * the payment core checks the business facts (app id, merchant id, amount, currency, order state).
 */
export interface PayProvider {
  readonly channel: PayChannel;
  /** Our app id (the main one) and merchant id at this gateway. */
  readonly appId: string;
  readonly merchantId: string;
  /** Every app id our orders may carry (WeChat: the mobile app's and the 公众号's); a notification for another is refused. */
  readonly appIds: readonly string[];
  prepay(order: PrepayOrder): Promise<PayParams>;
  verifyNotify(req: NotifyRequest, now: Date): NotifyVerdict;
  /** The gateway's state of an order; null when the gateway does not know it (never opened there). */
  query(outTradeNo: string): Promise<GatewayTrade | null>;
  /** Closes an unpaid order at the gateway so it can no longer be paid. */
  close(outTradeNo: string): Promise<void>;
  /** The answers the gateway understands: accepted (stop retrying) or refused (retry later). */
  answer(accepted: boolean): NotifyAnswer;
}

/** A gateway call that failed in a way worth retrying later (network, timeout, 5xx). */
export class PayGatewayError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "PayGatewayError";
  }
}
