/**
 * WeChat Pay API v3, direct merchant (普通商户): APP / H5 / JSAPI prepay, order query and close.
 * Facts: ../shared/integrations/payments-login-sms.md §1. Every request is signed; every 2xx response is
 * verified with the platform key before its body is used (see `readVerified` for non-2xx answers).
 */
import type { KeyObject } from "node:crypto";
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
import {
  joinedLines,
  type MerchantCredentials,
  nonceString,
  privateKeyOf,
  publicKeyOf,
  rsaSign,
  sendSignedV3,
  tradeOfTransaction,
  unixSeconds,
  V3TransportError,
  verifySignedMessage,
  verifyWechatNotify,
  type WechatTransaction,
  wechatAnswer,
} from "./wechat-v3.js";

export interface WechatPayOptions {
  baseUrl: string;
  /** The Open Platform mobile-app AppID (APP pay), bound to mchId. */
  appId: string;
  /** The 公众号 AppID for JSAPI and H5 (bound to mchId); default `appId`. */
  webAppId?: string;
  mchId: string;
  /** Serial number of the merchant API certificate. */
  serialNo: string;
  privateKeyPem: string;
  apiV3Key: string;
  /** Platform keys by `Wechatpay-Serial`: `PUB_KEY_ID_…` (public-key mode) or a certificate serial. */
  platformKeys: Record<string, string>;
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

const DESCRIPTION_MAX_CHARS = 127;
const USER_AGENT = "SkyRiff-backend (wechatpay-v3)";

interface GatewayReply {
  status: number;
  body: Record<string, unknown> | null;
}

export class WechatPayProvider implements PayProvider {
  readonly channel = "wechat" as const;
  readonly appId: string;
  readonly appIds: readonly string[];
  readonly merchantId: string;
  private readonly webAppId: string;
  private readonly baseUrl: string;
  private readonly merchant: MerchantCredentials;
  private readonly platformKeys: ReadonlyMap<string, KeyObject>;
  private readonly apiV3Key: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(options: WechatPayOptions) {
    if (Buffer.byteLength(options.apiV3Key, "utf8") !== 32)
      throw new Error("WeChat Pay: the APIv3 key must be 32 bytes");
    if (Object.keys(options.platformKeys).length === 0)
      throw new Error("WeChat Pay: at least one platform public key is required");
    this.appId = options.appId;
    this.webAppId = options.webAppId ?? options.appId;
    this.appIds = [...new Set([this.appId, this.webAppId])];
    this.merchantId = options.mchId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.merchant = {
      mchId: options.mchId,
      serialNo: options.serialNo,
      privateKey: privateKeyOf(options.privateKeyPem),
    };
    this.platformKeys = new Map(
      Object.entries(options.platformKeys).map(([id, pem]) => [id, publicKeyOf(pem)]),
    );
    this.apiV3Key = options.apiV3Key;
    this.timeoutMs = options.timeoutMs;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => new Date());
  }

  static fromConfig(config: AppConfig): WechatPayProvider {
    const required = {
      WECHATPAY_MCH_ID: config.WECHATPAY_MCH_ID,
      WECHATPAY_APP_ID: config.WECHATPAY_APP_ID,
      WECHATPAY_API_V3_KEY: config.WECHATPAY_API_V3_KEY,
      WECHATPAY_MCH_SERIAL_NO: config.WECHATPAY_MCH_SERIAL_NO,
      WECHATPAY_PRIVATE_KEY: config.WECHATPAY_PRIVATE_KEY,
      WECHATPAY_PLATFORM_PUBLIC_KEY: config.WECHATPAY_PLATFORM_PUBLIC_KEY,
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: config.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
    };
    const missing = Object.entries(required).filter(([, v]) => !v);
    if (missing.length)
      throw new Error(`WeChat Pay is not configured: set ${missing.map(([k]) => k).join(", ")}`);
    const v = required as Record<keyof typeof required, string>;
    return new WechatPayProvider({
      baseUrl: config.WECHATPAY_BASE_URL,
      appId: v.WECHATPAY_APP_ID,
      webAppId: config.WECHATPAY_WEB_APP_ID,
      mchId: v.WECHATPAY_MCH_ID,
      serialNo: v.WECHATPAY_MCH_SERIAL_NO,
      privateKeyPem: v.WECHATPAY_PRIVATE_KEY,
      apiV3Key: v.WECHATPAY_API_V3_KEY,
      platformKeys: { [v.WECHATPAY_PLATFORM_PUBLIC_KEY_ID]: v.WECHATPAY_PLATFORM_PUBLIC_KEY },
      timeoutMs: config.PAY_HTTP_TIMEOUT_MS,
    });
  }

  async prepay(order: PrepayOrder): Promise<PayParams> {
    const body = this.prepayBody(order);
    const reply = await this.call("POST", `/v3/pay/transactions/${order.client}`, body);
    if (reply.status !== 200) throw gatewayRefusal("prepay", reply);
    if (order.client === "h5") return { h5_url: withRedirect(stringField(reply, "h5_url"), order.returnUrl) };
    const prepayId = stringField(reply, "prepay_id");
    return order.client === "app" ? this.appParams(prepayId) : this.jsapiParams(prepayId);
  }

  async query(outTradeNo: string): Promise<GatewayTrade | null> {
    const reply = await this.call(
      "GET",
      `${orderPath(outTradeNo)}?mchid=${encodeURIComponent(this.merchantId)}`,
    );
    if (reply.status === 404 && errorCode(reply) === "ORDER_NOT_EXIST") return null;
    if (reply.status !== 200 || !reply.body) throw gatewayRefusal("query", reply);
    const transaction = reply.body as unknown as WechatTransaction;
    if (transaction.out_trade_no !== outTradeNo)
      throw new PayGatewayError(
        `WeChat Pay query for ${outTradeNo} answered about ${transaction.out_trade_no}`,
        false,
      );
    return tradeOfTransaction(transaction);
  }

  /**
   * 204: closed. Also fine: ORDER_NOT_EXIST (never opened at WeChat, so it cannot be paid there) and
   * ORDER_CLOSED (already closed). ORDER_PAID / ORDERPAID throws (not retryable): the money was taken, so
   * the caller must query and fulfil instead of marking the payment closed.
   */
  async close(outTradeNo: string): Promise<void> {
    const reply = await this.call("POST", `${orderPath(outTradeNo)}/close`, { mchid: this.merchantId });
    if (reply.status === 204 || reply.status === 200) return;
    const code = errorCode(reply);
    if (code === "ORDER_NOT_EXIST" || code === "ORDER_CLOSED" || code === "ORDERCLOSED") return;
    if (code === "ORDER_PAID" || code === "ORDERPAID")
      throw new PayGatewayError(`WeChat Pay close ${outTradeNo}: the order is already paid (${code})`, false);
    throw gatewayRefusal("close", reply);
  }

  verifyNotify(req: NotifyRequest, now: Date): NotifyVerdict {
    return verifyWechatNotify(req, now, { platformKeys: this.platformKeys, apiV3Key: this.apiV3Key });
  }

  answer(accepted: boolean): NotifyAnswer {
    return wechatAnswer(accepted);
  }

  private prepayBody(order: PrepayOrder): Record<string, unknown> {
    if (!Number.isSafeInteger(order.amountFen) || order.amountFen <= 0)
      throw new Error(`WeChat Pay: amount must be a positive integer of fen, got ${order.amountFen}`);
    const body: Record<string, unknown> = {
      appid: order.client === "app" ? this.appId : this.webAppId,
      mchid: this.merchantId,
      description: Array.from(order.description).slice(0, DESCRIPTION_MAX_CHARS).join(""),
      out_trade_no: order.outTradeNo,
      time_expire: beijingRfc3339(order.expireAt),
      notify_url: order.notifyUrl,
      amount: { total: order.amountFen, currency: "CNY" },
    };
    if (order.client === "jsapi") {
      if (!order.payerOpenid)
        throw new Error(
          "WeChat Pay JSAPI needs the payer's openid under our app id (payerOpenid is missing)",
        );
      body.payer = { openid: order.payerOpenid };
    }
    if (order.client === "h5") body.scene_info = { payer_client_ip: order.payerIp, h5_info: { type: "Wap" } };
    return body;
  }

  /** APP 调起支付: sign over appid\ntimestamp\nnoncestr\nprepayid\n (package is not signed). */
  private appParams(prepayId: string): PayParams {
    const timestamp = unixSeconds(this.now());
    const noncestr = nonceString();
    const sign = rsaSign(joinedLines(this.appId, timestamp, noncestr, prepayId), this.merchant.privateKey);
    const params = {
      appid: this.appId,
      partnerid: this.merchantId,
      prepayid: prepayId,
      package: "Sign=WXPay",
    };
    return { ...params, noncestr, timestamp, sign };
  }

  /** JSAPI getBrandWCPayRequest: paySign over appId\ntimeStamp\nnonceStr\npackage\n. */
  private jsapiParams(prepayId: string): PayParams {
    const timeStamp = unixSeconds(this.now());
    const nonceStr = nonceString();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = rsaSign(joinedLines(this.webAppId, timeStamp, nonceStr, pkg), this.merchant.privateKey);
    return { appId: this.webAppId, timeStamp, nonceStr, package: pkg, signType: "RSA", paySign };
  }

  /** One signed request; the reply's body is only returned once its signature verified. */
  private async call(method: "GET" | "POST", pathWithQuery: string, body?: object): Promise<GatewayReply> {
    const url = new URL(`${this.baseUrl}${pathWithQuery}`);
    try {
      const { res, raw } = await sendSignedV3({
        fetch: this.fetch,
        merchant: this.merchant,
        url,
        method,
        body,
        userAgent: USER_AGENT,
        timeoutMs: this.timeoutMs,
        now: this.now(),
      });
      return this.readVerified(method, url.pathname, res, raw);
    } catch (err) {
      if (err instanceof V3TransportError) throw new PayGatewayError(`WeChat Pay ${err.message}`, true);
      throw err;
    }
  }

  /**
   * 5xx / 429: retryable, body ignored. 2xx must carry a valid signature. Other 4xx are verified when they
   * carry Wechatpay-* headers; WeChat does not promise to sign errors (the official SDKs skip verifying
   * them), so an unsigned 4xx is accepted as a refusal only: it never makes us treat anything as paid.
   */
  private readVerified(method: string, path: string, res: Response, raw: string): GatewayReply {
    const what = `WeChat Pay ${method} ${path}`;
    if (res.status >= 500 || res.status === 429)
      throw new PayGatewayError(`${what}: HTTP ${res.status} ${summary(raw)}`, true);
    const headers = Object.fromEntries(res.headers);
    const signed = res.ok || headers["wechatpay-signature"] !== undefined;
    if (signed) {
      const check = verifySignedMessage(headers, raw, this.platformKeys, this.now());
      if (!check.ok)
        throw new PayGatewayError(
          `${what}: response refused, its signature does not verify (${check.detail})`,
          false,
        );
    }
    if (raw === "") return { status: res.status, body: null };
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      return { status: res.status, body: parsed as Record<string, unknown> };
    } catch {
      throw new PayGatewayError(`${what}: HTTP ${res.status} with a body that is not a JSON object`, !res.ok);
    }
  }
}

const orderPath = (outTradeNo: string) =>
  `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}`;

function stringField(reply: GatewayReply, name: string): string {
  const value = reply.body?.[name];
  if (typeof value !== "string" || value === "")
    throw new PayGatewayError(`WeChat Pay answered without ${name}`, false);
  return value;
}

const errorCode = (reply: GatewayReply): string | undefined =>
  typeof reply.body?.code === "string" ? reply.body.code : undefined;

function gatewayRefusal(operation: string, reply: GatewayReply): PayGatewayError {
  const message = typeof reply.body?.message === "string" ? reply.body.message : "";
  return new PayGatewayError(
    `WeChat Pay ${operation} refused: HTTP ${reply.status} ${errorCode(reply) ?? "(no code)"} ${message}`.trim(),
    false,
  );
}

function withRedirect(h5Url: string, returnUrl: string): string {
  return `${h5Url}${h5Url.includes("?") ? "&" : "?"}redirect_url=${encodeURIComponent(returnUrl)}`;
}

/** RFC 3339 in Beijing time, as WeChat documents it: 2018-06-08T10:34:56+08:00. */
export function beijingRfc3339(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const summary = (raw: string): string => raw.slice(0, 200);
