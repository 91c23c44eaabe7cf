/**
 * Local fake of the Alipay OpenAPI v2 gateway (`POST /gateway.do`), written from the documentation with
 * node:crypto only (deliberately not importing src/providers/pay or alipay-sdk).
 * Facts: ../shared/integrations/payments-login-sms.md §2 and §6.
 *
 * - Requests: params from the query string and/or the form body; RSA2 `sign` verified with the app public key
 *   over the sorted params except `sign` (sign_type included), raw values. Timestamps are Beijing time.
 * - Answers `{"<method>_response":{…},"sign":"…"}`, `sign` = RSA2 over the exact inner JSON text (Alipay key).
 * - alipay.trade.query and alipay.trade.close. A trade exists at the gateway once the buyer opened the
 *   cashier: `openOrder`, `acceptOrderString` (APP) or `acceptPayUrl` (WAP), each verifying our signature.
 * - Async notify: form-POST, `sign` over the sorted fields except `sign` and `sign_type` (Alipay key).
 */
import {
  createSign,
  createVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomInt,
} from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type AlipayTradeStatus = "WAIT_BUYER_PAY" | "TRADE_SUCCESS" | "TRADE_FINISHED" | "TRADE_CLOSED";

/** One-shot misbehaviour of the next gateway answer. */
export type AlipayFakeFault =
  | "5xx" // HTTP 502
  | "slow" // answers after slowMs
  | "reset" // drops the connection
  | "bad_signature" // signed with a key that is not the Alipay key
  | "no_signature" // no top-level sign
  | "system_error"; // code 20000 (service unavailable), correctly signed

export interface AlipayFakeOptions {
  /** Format of ALIPAY_PRIVATE_KEY in providerConfig: PKCS#8 PEM (default), PKCS#1 PEM, or bare base64 PKCS#8. */
  keyFormat?: "pkcs8" | "pkcs1" | "bare";
  /** Delay of the `slow` fault, default 3000 ms. */
  slowMs?: number;
  /** Allowed skew of the request `timestamp` (Beijing time), default 600 s. */
  maxClockSkewS?: number;
}

export interface AlipayFakeTrade {
  outTradeNo: string;
  /** Yuan string exactly as our order carried it. */
  totalAmount: string;
  subject: string;
  productCode: string | null;
  notifyUrl: string | null;
  returnUrl: string | null;
  timeExpire: string | null;
  tradeNo: string;
  tradeStatus: AlipayTradeStatus;
  buyerId: string;
  gmtCreate: string;
  gmtPayment: string | null;
}

export interface AlipayNotifyOverrides {
  total_amount?: string;
  app_id?: string;
  seller_id?: string;
  trade_status?: string;
  notify_id?: string;
  /** Signed with a key that is not the Alipay key. */
  badSignature?: boolean;
}

export interface AlipayFakeNotification {
  url: string;
  rawBody: string;
  fields: Record<string, string>;
  /** Our answer's HTTP status; 0 when the request failed. */
  status: number;
  answer: string;
}

export interface AlipayFakeRequest {
  method: string;
  params: Record<string, string>;
  code: string;
  subCode: string | null;
}

export interface AlipayFakeConfig {
  ALIPAY_APP_ID: string;
  ALIPAY_PRIVATE_KEY: string;
  ALIPAY_PUBLIC_KEY: string;
  ALIPAY_SELLER_ID: string;
  ALIPAY_GATEWAY: string;
}

export interface AlipayFake {
  gateway: string;
  appId: string;
  sellerId: string;
  appPrivateKeyPem: string;
  appPublicKeyPem: string;
  alipayPrivateKeyPem: string;
  alipayPublicKeyPem: string;
  providerConfig: AlipayFakeConfig;
  trades: Map<string, AlipayFakeTrade>;
  requests: AlipayFakeRequest[];
  notifications: AlipayFakeNotification[];
  /** The next `times` answers (default 1) misbehave with `fault`. */
  failNext(fault: AlipayFakeFault, times?: number): void;
  openOrder(order: {
    out_trade_no: string;
    total_amount: string;
    subject: string;
    notify_url?: string;
  }): AlipayFakeTrade;
  /** Verifies an APP order string (alipay.trade.app.pay) like the Alipay app would, and opens its trade. */
  acceptOrderString(orderString: string): AlipayFakeTrade;
  /** Verifies a WAP cashier URL (alipay.trade.wap.pay) like the cashier would, and opens its trade. */
  acceptPayUrl(payUrl: string): AlipayFakeTrade;
  /**
   * The buyer pays: the trade becomes TRADE_SUCCESS (TRADE_FINISHED when that is overrides.trade_status) and
   * a notification is form-POSTed; overrides alter only the notification. Returns our answer text.
   */
  pay(outTradeNo: string, notifyUrl?: string, overrides?: AlipayNotifyOverrides): Promise<string>;
  /** Sends one crafted notification without changing the trade. Returns our answer text. */
  sendNotify(outTradeNo: string, notifyUrl?: string, overrides?: AlipayNotifyOverrides): Promise<string>;
  /** A signed notification body without sending it. */
  buildNotify(
    outTradeNo: string,
    overrides?: AlipayNotifyOverrides,
  ): { rawBody: string; fields: Record<string, string> };
  /** POSTs an exact body (e.g. a replay of an earlier notification). */
  deliverRaw(notifyUrl: string, rawBody: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_]{1,64}$/;
const YUAN = /^(0|[1-9]\d{0,7})(\.\d{1,2})?$/;
const BEIJING_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const METHODS = new Set(["alipay.trade.query", "alipay.trade.close"]);

class GatewayError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(`${code} ${subCode} ${subMsg}`);
  }
}

const invalid = (subCode: string, subMsg: string) =>
  new GatewayError("40002", "Invalid Arguments", subCode, subMsg);
const businessFailed = (subCode: string, subMsg: string) =>
  new GatewayError("40004", "Business Failed", subCode, subMsg);

const rsa2Sign = (content: string, key: KeyObject) =>
  createSign("RSA-SHA256").update(content, "utf8").sign(key, "base64");
function rsa2Verify(content: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(key, signature, "base64");
  } catch {
    return false;
  }
}

/** k=v&… over the sorted keys, raw (decoded) values, leaving out the excluded keys. */
function signContent(params: Record<string, string>, exclude: string[]): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

function paramsOf(search: URLSearchParams, into: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of search) {
    if (Object.hasOwn(into, k)) throw invalid("isv.invalid-parameter", `参数 ${k} 重复`);
    into[k] = v;
  }
  return into;
}

const beijingTime = (at: Date) =>
  new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
const beijingMs = (text: string) => new Date(`${text.replace(" ", "T")}+08:00`).getTime();
const randomDigits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join("");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function privateKeyText(key: KeyObject, format: AlipayFakeOptions["keyFormat"]): string {
  if (format === "pkcs1") return key.export({ type: "pkcs1", format: "pem" }).toString();
  const pkcs8 = key.export({ type: "pkcs8", format: "pem" }).toString();
  return format === "bare" ? pkcs8.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "") : pkcs8;
}

export async function startAlipayFake(opts: AlipayFakeOptions = {}): Promise<AlipayFake> {
  const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const impostor = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = `2021${randomDigits(12)}`;
  const sellerId = `2088${randomDigits(12)}`;
  const slowMs = opts.slowMs ?? 3000;
  const maxClockSkewS = opts.maxClockSkewS ?? 600;
  const trades = new Map<string, AlipayFakeTrade>();
  const requests: AlipayFakeRequest[] = [];
  const notifications: AlipayFakeNotification[] = [];
  const pendingFaults: AlipayFakeFault[] = [];

  /** The common checks of everything we sign: app id, RSA2, utf-8, format of the timestamp, signature. */
  function verifySigned(params: Record<string, string>, expectedMethod?: string): void {
    if (params.app_id !== appId) throw invalid("isv.invalid-app-id", "无效的AppID参数");
    if (expectedMethod && params.method !== expectedMethod)
      throw invalid("isv.invalid-method", `method 应为 ${expectedMethod}`);
    if (params.sign_type !== "RSA2") throw invalid("isv.invalid-signature-type", "无效的签名类型");
    if ((params.charset ?? "").toLowerCase() !== "utf-8") throw invalid("isv.invalid-charset", "字符集错误");
    if (params.version !== "1.0") throw invalid("isv.invalid-parameter", "version 应为 1.0");
    if (!BEIJING_TIME.test(params.timestamp ?? ""))
      throw invalid("isv.invalid-timestamp", "非法的时间戳参数");
    if (!params.sign) throw invalid("isv.missing-signature", "缺少签名参数");
    if (!rsa2Verify(signContent(params, ["sign"]), params.sign, app.publicKey))
      throw invalid(
        "isv.invalid-signature",
        `验签出错，网关生成的验签字符串为：${signContent(params, ["sign"])}`,
      );
  }

  function bizContentOf(params: Record<string, string>): Record<string, unknown> {
    try {
      const biz: unknown = JSON.parse(params.biz_content ?? "");
      if (typeof biz === "object" && biz !== null && !Array.isArray(biz))
        return biz as Record<string, unknown>;
    } catch {}
    throw invalid("isv.invalid-parameter", "biz_content 不是JSON对象");
  }

  function checkFresh(params: Record<string, string>): void {
    const skew = Math.abs(Date.now() - beijingMs(params.timestamp ?? "")) / 1000;
    if (!(skew <= maxClockSkewS)) throw invalid("isv.invalid-timestamp", "非法的时间戳参数");
  }

  function tradeOf(biz: Record<string, unknown>): AlipayFakeTrade {
    const no = biz.out_trade_no;
    const trade = typeof no === "string" ? trades.get(no) : undefined;
    if (!trade) throw businessFailed("ACQ.TRADE_NOT_EXIST", "交易不存在");
    return trade;
  }

  function query(biz: Record<string, unknown>): Record<string, unknown> {
    if (typeof biz.out_trade_no !== "string")
      throw invalid("isv.missing-parameter", "缺少必选参数 out_trade_no");
    const t = tradeOf(biz);
    const paid = t.tradeStatus === "TRADE_SUCCESS" || t.tradeStatus === "TRADE_FINISHED";
    return {
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      buyer_logon_id: "159****5620",
      trade_status: t.tradeStatus,
      total_amount: t.totalAmount,
      buyer_pay_amount: paid ? t.totalAmount : "0.00",
      point_amount: "0.00",
      invoice_amount: paid ? t.totalAmount : "0.00",
      receipt_amount: paid ? t.totalAmount : "0.00",
      ...(t.gmtPayment ? { send_pay_date: t.gmtPayment } : {}),
      buyer_user_id: t.buyerId,
    };
  }

  function close(biz: Record<string, unknown>): Record<string, unknown> {
    const t = tradeOf(biz);
    if (t.tradeStatus !== "WAIT_BUYER_PAY") throw businessFailed("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
    t.tradeStatus = "TRADE_CLOSED";
    return { trade_no: t.tradeNo, out_trade_no: t.outTradeNo };
  }

  function gatewayCall(params: Record<string, string>): Record<string, unknown> {
    const method = params.method ?? "";
    if (!METHODS.has(method)) throw invalid("isv.invalid-method", "不存在的方法名");
    verifySigned(params);
    checkFresh(params);
    const biz = bizContentOf(params);
    return method === "alipay.trade.query" ? query(biz) : close(biz);
  }

  function answer(
    res: ServerResponse,
    method: string,
    inner: Record<string, unknown>,
    fault: AlipayFakeFault | null,
  ) {
    const responseKey = `${(method || "error").replaceAll(".", "_")}_response`;
    const innerJson = JSON.stringify(inner);
    const key = fault === "bad_signature" ? impostor.privateKey : alipay.privateKey;
    const signPart = fault === "no_signature" ? "" : `,"sign":${JSON.stringify(rsa2Sign(innerJson, key))}`;
    res.writeHead(200, { "content-type": "text/html;charset=utf-8" });
    res.end(`{"${responseKey}":${innerJson}${signPart}}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const fault = pendingFaults.shift() ?? null;
    if (fault === "reset") return void req.socket.destroy();
    if (fault === "slow") await sleep(slowMs);
    if (fault === "5xx") {
      res.writeHead(502, { "content-type": "text/html" });
      return void res.end("<html><body>502 Bad Gateway</body></html>");
    }
    if (req.method !== "POST" || url.pathname !== "/gateway.do") {
      res.writeHead(404);
      return void res.end();
    }
    let params: Record<string, string> = {};
    let inner: Record<string, unknown>;
    try {
      params = paramsOf(new URLSearchParams(raw), paramsOf(url.searchParams));
      if (fault === "system_error")
        throw new GatewayError("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙");
      inner = { code: "10000", msg: "Success", ...gatewayCall(params) };
    } catch (err) {
      const e = err instanceof GatewayError ? err : invalid("isv.invalid-parameter", String(err));
      inner = { code: e.code, msg: e.msg, sub_code: e.subCode, sub_msg: e.subMsg };
    }
    const subCode = typeof inner.sub_code === "string" ? inner.sub_code : null;
    requests.push({ method: params.method ?? "", params, code: String(inner.code), subCode });
    answer(res, params.method ?? "", inner, fault);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`;

  function openTrade(biz: Record<string, unknown>, extra: Partial<AlipayFakeTrade>): AlipayFakeTrade {
    const { out_trade_no: no, total_amount: amount, subject } = biz;
    if (typeof no !== "string" || !OUT_TRADE_NO.test(no))
      throw new Error(`Alipay fake: bad out_trade_no ${no}`);
    if (typeof amount !== "string" || !YUAN.test(amount) || /^0(\.0+)?$/.test(amount))
      throw new Error(
        `Alipay fake: bad total_amount ${JSON.stringify(amount)} (a yuan string, at least 0.01)`,
      );
    if (typeof subject !== "string" || !subject || Array.from(subject).length > 256)
      throw new Error("Alipay fake: subject missing or longer than 256");
    if (biz.time_expire !== undefined && !BEIJING_TIME.test(String(biz.time_expire)))
      throw new Error(`Alipay fake: time_expire ${biz.time_expire} is not yyyy-MM-dd HH:mm:ss`);
    const existing = trades.get(no);
    if (existing) {
      if (existing.totalAmount !== amount) throw new Error(`Alipay fake: ${no} reopened with another amount`);
      return existing;
    }
    const trade: AlipayFakeTrade = {
      outTradeNo: no,
      totalAmount: amount,
      subject,
      productCode: typeof biz.product_code === "string" ? biz.product_code : null,
      notifyUrl: null,
      returnUrl: null,
      timeExpire: typeof biz.time_expire === "string" ? biz.time_expire : null,
      tradeNo: `${beijingTime(new Date()).replace(/\D/g, "").slice(0, 8)}2200${randomDigits(16)}`,
      tradeStatus: "WAIT_BUYER_PAY",
      buyerId: `2088${randomDigits(12)}`,
      gmtCreate: beijingTime(new Date()),
      gmtPayment: null,
      ...extra,
    };
    trades.set(no, trade);
    return trade;
  }

  /** What the Alipay client / cashier checks before showing an order. Throws with the reason. */
  function acceptSigned(
    params: Record<string, string>,
    method: string,
    productCode: string,
  ): AlipayFakeTrade {
    try {
      verifySigned(params, method);
    } catch (err) {
      throw new Error(
        `Alipay fake refuses the ${method} order: ${err instanceof GatewayError ? err.subMsg : err}`,
      );
    }
    const biz = bizContentOf(params);
    if (biz.product_code !== productCode) throw new Error(`Alipay fake: product_code must be ${productCode}`);
    if (params.notify_url) new URL(params.notify_url);
    return openTrade(biz, { notifyUrl: params.notify_url ?? null, returnUrl: params.return_url ?? null });
  }

  function orderOf(outTradeNo: string): AlipayFakeTrade {
    const trade = trades.get(outTradeNo);
    if (!trade) throw new Error(`Alipay fake: no trade ${outTradeNo} (open it first)`);
    return trade;
  }

  function buildNotify(outTradeNo: string, over: AlipayNotifyOverrides = {}) {
    const t = orderOf(outTradeNo);
    const status = over.trade_status ?? t.tradeStatus;
    const amount = over.total_amount ?? t.totalAmount;
    const now = beijingTime(new Date());
    const fields: Record<string, string> = {
      gmt_create: t.gmtCreate,
      charset: "utf-8",
      seller_email: "merchant@example.com",
      subject: t.subject,
      buyer_id: t.buyerId,
      invoice_amount: amount,
      notify_id:
        over.notify_id ?? `${now.replace(/\D/g, "").slice(0, 14)}0222${randomBytes(12).toString("hex")}`,
      fund_bill_list: JSON.stringify([{ amount, fundChannel: "ALIPAYACCOUNT" }]),
      notify_type: "trade_status_sync",
      trade_status: status,
      receipt_amount: amount,
      buyer_pay_amount: amount,
      app_id: over.app_id ?? appId,
      notify_time: now,
      point_amount: "0.00",
      total_amount: amount,
      seller_id: over.seller_id ?? sellerId,
      trade_no: t.tradeNo,
      auth_app_id: over.app_id ?? appId,
      buyer_logon_id: "159****5620",
      out_trade_no: t.outTradeNo,
      version: "1.0",
    };
    if (t.gmtPayment) fields.gmt_payment = t.gmtPayment;
    if (status === "TRADE_CLOSED") fields.gmt_close = now;
    const key = over.badSignature ? impostor.privateKey : alipay.privateKey;
    fields.sign = rsa2Sign(signContent(fields, ["sign", "sign_type"]), key);
    fields.sign_type = "RSA2";
    return { rawBody: new URLSearchParams(fields).toString(), fields };
  }

  async function deliverRaw(notifyUrl: string, rawBody: string) {
    try {
      const res = await fetch(notifyUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: rawBody,
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      return { status: 0, body: String(err) };
    }
  }

  async function notify(outTradeNo: string, notifyUrl: string | undefined, over: AlipayNotifyOverrides) {
    const url = notifyUrl ?? orderOf(outTradeNo).notifyUrl;
    if (!url) throw new Error(`Alipay fake: no notify_url for ${outTradeNo}`);
    const { rawBody, fields } = buildNotify(outTradeNo, over);
    const { status, body } = await deliverRaw(url, rawBody);
    notifications.push({ url, rawBody, fields, status, answer: body });
    return body;
  }

  return {
    gateway,
    appId,
    sellerId,
    appPrivateKeyPem: app.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    appPublicKeyPem: app.publicKey.export({ type: "spki", format: "pem" }).toString(),
    alipayPrivateKeyPem: alipay.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    alipayPublicKeyPem: alipay.publicKey.export({ type: "spki", format: "pem" }).toString(),
    providerConfig: {
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: privateKeyText(app.privateKey, opts.keyFormat),
      ALIPAY_PUBLIC_KEY: alipay.publicKey.export({ type: "spki", format: "pem" }).toString(),
      ALIPAY_SELLER_ID: sellerId,
      ALIPAY_GATEWAY: gateway,
    },
    trades,
    requests,
    notifications,
    failNext(fault, times = 1) {
      pendingFaults.length = 0;
      for (let i = 0; i < times; i++) pendingFaults.push(fault);
    },
    openOrder(order) {
      return openTrade(order, { notifyUrl: order.notify_url ?? null });
    },
    acceptOrderString(orderString) {
      const params = paramsOf(new URLSearchParams(orderString));
      return acceptSigned(params, "alipay.trade.app.pay", "QUICK_MSECURITY_PAY");
    },
    acceptPayUrl(payUrl) {
      const url = new URL(payUrl);
      if (`${url.origin}${url.pathname}` !== gateway)
        throw new Error(`Alipay fake: ${payUrl} is not this gateway`);
      const params = paramsOf(url.searchParams);
      if (!params.return_url) throw new Error("Alipay fake: a WAP order needs return_url");
      return acceptSigned(params, "alipay.trade.wap.pay", "QUICK_WAP_WAY");
    },
    async pay(outTradeNo, notifyUrl, overrides = {}) {
      const trade = orderOf(outTradeNo);
      if (trade.tradeStatus === "TRADE_CLOSED") throw new Error(`Alipay fake: ${outTradeNo} is closed`);
      trade.tradeStatus = overrides.trade_status === "TRADE_FINISHED" ? "TRADE_FINISHED" : "TRADE_SUCCESS";
      trade.gmtPayment ??= beijingTime(new Date());
      return notify(outTradeNo, notifyUrl, overrides);
    },
    sendNotify: (outTradeNo, notifyUrl, overrides = {}) => notify(outTradeNo, notifyUrl, overrides),
    buildNotify,
    deliverRaw,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
