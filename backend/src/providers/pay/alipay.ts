/**
 * Alipay OpenAPI v2 on the official alipay-sdk: APP order string, WAP cashier URL, RSA2 async notify,
 * alipay.trade.query / alipay.trade.close with response signature validation.
 * Facts: ../shared/integrations/payments-login-sms.md §2. Amounts are fen integers here and yuan strings
 * ("6.00") on the wire, converted with string arithmetic only.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { AlipayRequestError, AlipaySdk, type AlipaySdkCommonResult } from "alipay-sdk";
import type { AppConfig } from "../../config/env.js";
import {
  type GatewayTrade,
  type NotifyAnswer,
  type NotifyRequest,
  type NotifyVerdict,
  PayGatewayError,
  type PayParams,
  type PayProvider,
  type PrepayOrder,
} from "./types.js";

export interface AlipayOptions {
  /** v2 gateway, e.g. https://openapi.alipay.com/gateway.do */
  gateway: string;
  appId: string;
  /** Our merchant PID (2088…), the `seller_id` of every notification. */
  sellerId: string;
  /** App private key: PKCS#8 or PKCS#1 PEM, or the bare base64 the Alipay key tool prints. */
  privateKeyPem: string;
  /** The Alipay public key (not the app public key): SPKI PEM or bare base64. */
  alipayPublicKeyPem: string;
  timeoutMs: number;
  now?: () => Date;
}

const SUBJECT_MAX_CHARS = 256;
const SUCCESS = "10000";

export class AlipayProvider implements PayProvider {
  readonly channel = "alipay" as const;
  readonly appId: string;
  readonly appIds: readonly string[];
  readonly merchantId: string;
  private readonly sdk: AlipaySdk;
  private readonly now: () => Date;

  constructor(options: AlipayOptions) {
    this.appId = options.appId;
    this.appIds = [options.appId];
    this.merchantId = options.sellerId;
    this.now = options.now ?? (() => new Date());
    this.sdk = new AlipaySdk({
      appId: options.appId,
      privateKey: pkcs8PrivateKeyPem(options.privateKeyPem),
      keyType: "PKCS8",
      alipayPublicKey: spkiPublicKeyPem(options.alipayPublicKeyPem),
      gateway: options.gateway,
      timeout: options.timeoutMs,
      signType: "RSA2",
      camelcase: false,
    });
  }

  static fromConfig(config: AppConfig): AlipayProvider {
    const required = {
      ALIPAY_APP_ID: config.ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: config.ALIPAY_PRIVATE_KEY,
      ALIPAY_PUBLIC_KEY: config.ALIPAY_PUBLIC_KEY,
      ALIPAY_SELLER_ID: config.ALIPAY_SELLER_ID,
    };
    const missing = Object.entries(required).filter(([, v]) => !v);
    if (missing.length)
      throw new Error(`Alipay is not configured: set ${missing.map(([k]) => k).join(", ")}`);
    const v = required as Record<keyof typeof required, string>;
    return new AlipayProvider({
      gateway: config.ALIPAY_GATEWAY,
      appId: v.ALIPAY_APP_ID,
      sellerId: v.ALIPAY_SELLER_ID,
      privateKeyPem: v.ALIPAY_PRIVATE_KEY,
      alipayPublicKeyPem: v.ALIPAY_PUBLIC_KEY,
      timeoutMs: config.PAY_HTTP_TIMEOUT_MS,
    });
  }

  /** No call to Alipay: APP gets a signed order string, H5 (and JSAPI, which Alipay lacks) a WAP URL. */
  async prepay(order: PrepayOrder): Promise<PayParams> {
    const biz = {
      out_trade_no: order.outTradeNo,
      total_amount: fenToYuan(order.amountFen),
      subject: Array.from(order.description).slice(0, SUBJECT_MAX_CHARS).join(""),
      time_expire: beijingTime(order.expireAt),
    };
    // The SDK stamps `timestamp` in the process's local zone; Alipay wants Beijing time.
    const common = { notifyUrl: order.notifyUrl, timestamp: beijingTime(this.now()) };
    if (order.client === "app") {
      const bizContent = { ...biz, product_code: "QUICK_MSECURITY_PAY" };
      const orderString = this.sdk.sdkExecute(
        "alipay.trade.app.pay",
        { ...common, bizContent },
        { bizContentAutoSnakeCase: false },
      );
      return { order_string: orderString };
    }
    const bizContent = { ...biz, product_code: "QUICK_WAP_WAY", quit_url: order.returnUrl };
    const payUrl = this.sdk.pageExecute("alipay.trade.wap.pay", "GET", {
      ...common,
      returnUrl: order.returnUrl,
      bizContent,
    });
    return { pay_url: payUrl };
  }

  /**
   * The body is application/x-www-form-urlencoded; we decode it ourselves, so the signature is checked with
   * `checkNotifySignV2` (no second URL-decoding). Alipay repeats one notify_id for 25 h: no staleness check.
   */
  verifyNotify(req: NotifyRequest, _now: Date): NotifyVerdict {
    const fields = formFields(req.rawBody);
    if (!fields) return { ok: false, reason: "malformed", detail: "body has a repeated field" };
    if (!fields.sign) return { ok: false, reason: "bad_signature", detail: "no sign field" };
    if (!this.notifySignatureVerifies(fields))
      return {
        ok: false,
        reason: "bad_signature",
        detail: "RSA2 signature does not verify with the Alipay public key",
      };
    const trade = tradeOfNotify(fields);
    if (typeof trade === "string") return { ok: false, reason: "malformed", detail: trade };
    return {
      ok: true,
      trade,
      eventId: fields.notify_id ?? "",
      eventType: fields.notify_type ?? "",
      payload: fields,
    };
  }

  async query(outTradeNo: string): Promise<GatewayTrade | null> {
    const result = await this.exec("alipay.trade.query", { out_trade_no: outTradeNo });
    if (result.sub_code === "ACQ.TRADE_NOT_EXIST") return null;
    if (result.code !== SUCCESS) throw refusal("alipay.trade.query", result);
    if (result.out_trade_no !== outTradeNo)
      throw new PayGatewayError(
        `Alipay query for ${outTradeNo} answered about ${result.out_trade_no}`,
        false,
      );
    const trade = tradeOfQuery(result, this.appId, this.merchantId);
    if (typeof trade === "string") throw new PayGatewayError(`Alipay query ${outTradeNo}: ${trade}`, false);
    return trade;
  }

  /**
   * ACQ.TRADE_NOT_EXIST is fine: the buyer never opened the order at Alipay. Caveat: a signed order string
   * stays usable until its time_expire, so only a close after expireAt is final for such an order.
   * ACQ.TRADE_STATUS_ERROR (already closed, or paid) is resolved by a query: closed → fine, paid → throws.
   */
  async close(outTradeNo: string): Promise<void> {
    const result = await this.exec("alipay.trade.close", { out_trade_no: outTradeNo });
    if (result.code === SUCCESS || result.sub_code === "ACQ.TRADE_NOT_EXIST") return;
    if (result.sub_code !== "ACQ.TRADE_STATUS_ERROR") throw refusal("alipay.trade.close", result);
    const trade = await this.query(outTradeNo);
    if (trade === null || trade.state === "closed") return;
    throw new PayGatewayError(
      `Alipay close ${outTradeNo}: the trade is ${trade.rawState}, it cannot be closed`,
      trade.state === "pending",
    );
  }

  answer(accepted: boolean): NotifyAnswer {
    return { status: 200, contentType: "text/plain", body: accepted ? "success" : "fail" };
  }

  private notifySignatureVerifies(fields: Record<string, string>): boolean {
    try {
      return this.sdk.checkNotifySignV2(fields);
    } catch {
      return false;
    }
  }

  private async exec(method: string, bizContent: Record<string, string>): Promise<AlipaySdkCommonResult> {
    try {
      return await this.sdk.exec(
        method,
        { timestamp: beijingTime(this.now()), bizContent },
        { validateSign: true },
      );
    } catch (err) {
      throw gatewayErrorOf(method, err);
    }
  }
}

/** Maps what alipay-sdk throws from `exec`: transport → retryable; a response we cannot trust → not. */
function gatewayErrorOf(method: string, err: unknown): PayGatewayError {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof AlipayRequestError))
    return new PayGatewayError(`Alipay ${method}: response refused (${message})`, false);
  if (message.startsWith("HttpClient Request error"))
    return new PayGatewayError(`Alipay ${method}: ${message}`, true);
  const status = /status: (\d+)/.exec(message)?.[1];
  if (status) return new PayGatewayError(`Alipay ${method}: HTTP ${status}`, Number(status) >= 500);
  if (message.includes("验签失败"))
    return new PayGatewayError(`Alipay ${method}: response refused, its signature does not verify`, false);
  return new PayGatewayError(`Alipay ${method}: unreadable response (${message.slice(0, 200)})`, true);
}

/** 20000 (service unavailable) and SYSTEM_ERROR sub codes are worth another try, business codes are not. */
function refusal(method: string, result: AlipaySdkCommonResult): PayGatewayError {
  const subCode = typeof result.sub_code === "string" ? result.sub_code : "";
  const retryable = result.code === "20000" || subCode.endsWith("SYSTEM_ERROR") || subCode.startsWith("isp.");
  const text = [result.code, result.msg, subCode, result.sub_msg].filter(Boolean).join(" ");
  return new PayGatewayError(`Alipay ${method} refused: ${text}`, retryable);
}

const TRADE_STATES: Record<string, GatewayTrade["state"]> = {
  TRADE_SUCCESS: "paid",
  TRADE_FINISHED: "paid",
  TRADE_CLOSED: "closed",
  WAIT_BUYER_PAY: "pending",
};

/** A GatewayTrade from a verified notification, or what is wrong with it. */
function tradeOfNotify(fields: Record<string, string>): GatewayTrade | string {
  const { out_trade_no, trade_status, app_id, seller_id, notify_id } = fields;
  if (!out_trade_no || !app_id || !seller_id || !notify_id)
    return "missing out_trade_no, app_id, seller_id or notify_id";
  const state = trade_status ? TRADE_STATES[trade_status] : undefined;
  if (!state || !trade_status) return `unknown trade_status ${trade_status}`;
  const amountFen = yuanToFen(fields.total_amount ?? "");
  if (amountFen === null) return `total_amount ${fields.total_amount} is not a yuan amount`;
  const paidAt = fields.gmt_payment ? parseBeijingTime(fields.gmt_payment) : null;
  if (paidAt === undefined) return `gmt_payment ${fields.gmt_payment} is not yyyy-MM-dd HH:mm:ss`;
  return {
    outTradeNo: out_trade_no,
    gatewayTradeNo: fields.trade_no || null,
    state,
    rawState: trade_status,
    amountFen,
    currency: "CNY",
    appId: app_id,
    merchantId: seller_id,
    paidAt,
  };
}

/**
 * alipay.trade.query echoes neither app_id nor seller_id; the answer is signed by Alipay to a request
 * signed with our app key, so our own ids are the ones it speaks for.
 */
function tradeOfQuery(r: AlipaySdkCommonResult, appId: string, sellerId: string): GatewayTrade | string {
  const state = TRADE_STATES[r.trade_status];
  if (!state) return `unknown trade_status ${r.trade_status}`;
  const amountFen = yuanToFen(String(r.total_amount ?? ""));
  if (amountFen === null) return `total_amount ${r.total_amount} is not a yuan amount`;
  const paidAt = r.send_pay_date ? parseBeijingTime(String(r.send_pay_date)) : null;
  return {
    outTradeNo: r.out_trade_no,
    gatewayTradeNo: r.trade_no || null,
    state,
    rawState: r.trade_status,
    amountFen,
    currency: "CNY",
    appId,
    merchantId: sellerId,
    paidAt: paidAt ?? null,
  };
}

/** Form fields, decoded once; null when a field repeats (which value was signed would be ambiguous). */
function formFields(rawBody: string): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody)) {
    if (Object.hasOwn(fields, key)) return null;
    fields[key] = value;
  }
  return fields;
}

/** 600 → "6.00", 1 → "0.01": digits only, no floating point. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen <= 0)
    throw new Error(`amount must be a positive integer of fen, got ${fen}`);
  const digits = String(fen).padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "6.00" / "6" / "6.5" / "0.01" → fen; anything else (sign, exponent, 3 decimals, spaces) → null. */
export function yuanToFen(yuan: string): number | null {
  const m = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m?.[1]) return null;
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
  return fen <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(fen) : null;
}

/** yyyy-MM-dd HH:mm:ss in Beijing time (UTC+8, no daylight saving). */
export function beijingTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** The inverse of beijingTime; undefined when the text is not in that exact format. */
export function parseBeijingTime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const at = new Date(`${text.replace(" ", "T")}+08:00`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const normalizedPem = (key: string): string => key.replace(/\\n/g, "\n").trim();

/** Accepts PKCS#8 PEM, PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) or bare base64 DER; hands the SDK PKCS#8. */
export function pkcs8PrivateKeyPem(key: string): string {
  const text = normalizedPem(key);
  const keyObject = text.includes("-----BEGIN")
    ? createPrivateKey(text)
    : derPrivateKey(Buffer.from(text.replace(/\s+/g, ""), "base64"));
  return keyObject.export({ type: "pkcs8", format: "pem" }).toString();
}

function derPrivateKey(der: Buffer) {
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    return createPrivateKey({ key: der, format: "der", type: "pkcs1" });
  }
}

export function spkiPublicKeyPem(key: string): string {
  const text = normalizedPem(key);
  const keyObject = text.includes("-----BEGIN")
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
  return keyObject.export({ type: "spki", format: "pem" }).toString();
}
