/**
 * Local fake of WeChat Pay API v3 (direct merchant), written from the documentation with node:crypto only
 * (deliberately not importing src/providers/pay: it checks our code independently).
 * Facts: ../shared/integrations/payments-login-sms.md §1 and §6.
 *
 * - Every request's `Authorization: WECHATPAY2-SHA256-RSA2048 …` is verified with the merchant public key
 *   over METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n (±5 min, nonce not reused, our mchid and serial) → else 401.
 * - Every response is signed with the platform key (`Wechatpay-*` headers over TS\nNONCE\nBODY\n).
 * - POST /v3/pay/transactions/{app,h5,jsapi}, GET …/out-trade-no/{no}?mchid=, POST …/out-trade-no/{no}/close.
 * - Notifications are AES-256-GCM encrypted with the APIv3 key (associated_data "transaction"), signed,
 *   and POSTed with real fetch to the order's notify_url; a non-2xx answer is retried after retryDelaysMs.
 */
import {
  createCipheriv,
  createSign,
  createVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomInt,
  randomUUID,
} from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type WechatTradeState = "NOTPAY" | "SUCCESS" | "CLOSED";
export type WechatPrepayKind = "app" | "h5" | "jsapi";

/** One-shot misbehaviour of the next API response. */
export type WechatFakeFault =
  | "5xx" // 500 SYSTEM_ERROR
  | "slow" // answers after slowMs
  | "reset" // drops the connection
  | "bad_signature" // signed with a key that is not the platform key
  | "no_signature" // no Wechatpay-* headers
  | "stale_signature" // correctly signed, timestamp 400 s in the past
  | "unknown_serial"; // Wechatpay-Serial names a key the merchant does not have

export interface WechatFakeOptions {
  /** Delays between notification retries; the real schedule is 15s/15s/30s/3m/10m/… Default [50, 100, 200]. */
  retryDelaysMs?: number[];
  /** Delay of the `slow` fault, default 3000 ms. */
  slowMs?: number;
  /** Allowed skew of the request Authorization timestamp, default 300 s (as WeChat). */
  maxClockSkewS?: number;
}

export interface WechatFakeOrder {
  kind: WechatPrepayKind;
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  notifyUrl: string;
  amountFen: number;
  timeExpire: string | null;
  payerOpenid: string | null;
  payerClientIp: string | null;
  prepayId: string;
  tradeState: WechatTradeState;
  transactionId: string | null;
  successTime: string | null;
  /** The prepay request body exactly as received. */
  requestBody: string;
}

export interface WechatFakeDelivery {
  outTradeNo: string;
  url: string;
  rawBody: string;
  headers: Record<string, string>;
  /** Our answer's HTTP status; 0 when the request failed (connection refused, timeout). */
  status: number;
  body: string;
  at: Date;
}

export interface WechatNotifyOverrides {
  amountFen?: number;
  appid?: string;
  mchid?: string;
  tradeState?: string;
  /** Shifts Wechatpay-Timestamp (still correctly signed), e.g. -301 for a stale notification. */
  timestampOffsetS?: number;
  /** Signature starting with WECHATPAY/SIGNTEST/, as WeChat's deliberate probes. */
  probe?: boolean;
  /** Signed with a key that is not the platform key. */
  badSignature?: boolean;
  /** The ciphertext is altered after encryption (the signature over the body stays valid). */
  tamperCiphertext?: boolean;
  /** Replays an exact earlier delivered body with its original headers. */
  body?: string;
}

export interface WechatNotifyResult {
  status: number;
  body: string;
  rawBody: string;
  headers: Record<string, string>;
}

export interface WechatPayFakeConfig {
  WECHATPAY_MCH_ID: string;
  WECHATPAY_APP_ID: string;
  WECHATPAY_WEB_APP_ID: string;
  WECHATPAY_API_V3_KEY: string;
  WECHATPAY_MCH_SERIAL_NO: string;
  WECHATPAY_PRIVATE_KEY: string;
  WECHATPAY_PLATFORM_PUBLIC_KEY: string;
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: string;
  WECHATPAY_BASE_URL: string;
}

export interface WechatFakeRequest {
  method: string;
  path: string;
  body: string;
  status: number;
  /** The error code answered, when not 2xx. */
  code: string | null;
}

export interface WechatPayFake {
  baseUrl: string;
  mchId: string;
  /** The mobile app's AppID (APP pay). */
  appId: string;
  /** The 公众号's AppID (JSAPI; H5 takes either). */
  webAppId: string;
  apiV3Key: string;
  merchantSerialNo: string;
  platformPublicKeyId: string;
  merchantPrivateKeyPem: string;
  merchantPublicKeyPem: string;
  platformPrivateKeyPem: string;
  platformPublicKeyPem: string;
  providerConfig: WechatPayFakeConfig;
  orders: Map<string, WechatFakeOrder>;
  deliveries: WechatFakeDelivery[];
  /** Every API request received, with the status answered. */
  requests: WechatFakeRequest[];
  /** The next API response misbehaves once. */
  /** The next `times` answers (default 1) misbehave with `fault`. */
  failNext(fault: WechatFakeFault, times?: number): void;
  /** The payer pays: SUCCESS, then TRANSACTION.SUCCESS is delivered (and retried) to the notify_url. */
  pay(outTradeNo: string, opts?: { retryDelaysMs?: number[] }): Promise<{ status: number; body: string }[]>;
  /** The payer pays but the notification is lost. */
  payWithoutNotify(outTradeNo: string): WechatFakeOrder;
  /** Delivers one crafted notification once, without changing the order. */
  sendNotify(outTradeNo: string, overrides?: WechatNotifyOverrides): Promise<WechatNotifyResult>;
  /** Builds a signed notification without sending it. */
  buildNotify(
    outTradeNo: string,
    overrides?: WechatNotifyOverrides,
  ): { rawBody: string; headers: Record<string, string> };
  close(): Promise<void>;
}

const SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048";
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;
const H5_TYPES = new Set(["Wap", "iOS", "Android"]);
const TRADE_TYPES: Record<WechatPrepayKind, string> = { app: "APP", h5: "MWEB", jsapi: "JSAPI" };
const STATE_DESC: Record<string, string> = {
  NOTPAY: "订单未支付",
  SUCCESS: "支付成功",
  CLOSED: "订单已关闭",
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const lines = (...parts: string[]): string => parts.map((p) => `${p}\n`).join("");
const sign = (message: string, key: KeyObject): string =>
  createSign("RSA-SHA256").update(message).sign(key, "base64");
const pem = (key: KeyObject, type: "pkcs8" | "spki"): string =>
  key.export({ type, format: "pem" }).toString();

function verify(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(message).verify(key, signature, "base64");
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const randomDigits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join("");
const randomAlnum = (n: number): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join("");
};
const beijingRfc3339 = (at: Date): string =>
  `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newTransactionId = () => `4200${randomDigits(24)}`;

function parseAuthorization(value: string | undefined): Record<string, string> | null {
  if (!value?.startsWith(`${SIGNATURE_TYPE} `)) return null;
  const items: Record<string, string> = {};
  for (const m of value.slice(SIGNATURE_TYPE.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] && m[2] !== undefined) items[m[1]] = m[2];
  }
  const required = ["mchid", "nonce_str", "signature", "timestamp", "serial_no"];
  return required.every((k) => items[k]) ? items : null;
}

function objectAt(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ApiError(400, "PARAM_ERROR", `${what} must be an object`);
  return value as Record<string, unknown>;
}

function stringAt(obj: Record<string, unknown>, key: string, max: number): string {
  const v = obj[key];
  if (typeof v !== "string" || v.length === 0)
    throw new ApiError(
      400,
      "PARAM_ERROR",
      `输入源"/body/${key}"映射到值字段"${key}"必填性规则校验失败，此字段为必填项`,
    );
  if (Array.from(v).length > max) throw new ApiError(400, "PARAM_ERROR", `${key} is longer than ${max}`);
  return v;
}

export async function startWechatPayFake(opts: WechatFakeOptions = {}): Promise<WechatPayFake> {
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const impostor = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const mchId = `19${randomDigits(8)}`;
  // Two AppIDs bound to the merchant, as a real deployment has: the Open Platform mobile app's (APP pay)
  // and the 公众号's (JSAPI inside WeChat; H5 accepts either).
  const appId = `wx${randomBytes(8).toString("hex")}`;
  const webAppId = `wx${randomBytes(8).toString("hex")}`;
  const apiV3Key = randomAlnum(32);
  const merchantSerialNo = randomBytes(20).toString("hex").toUpperCase();
  const platformPublicKeyId = `PUB_KEY_ID_TEST${randomDigits(24)}`;
  const retryDelaysMs = opts.retryDelaysMs ?? [50, 100, 200];
  const slowMs = opts.slowMs ?? 3000;
  const maxClockSkewS = opts.maxClockSkewS ?? 300;

  const orders = new Map<string, WechatFakeOrder>();
  const deliveries: WechatFakeDelivery[] = [];
  const requests: WechatFakeRequest[] = [];
  const seenNonces = new Set<string>();
  const pendingFaults: WechatFakeFault[] = [];

  function signedHeaders(body: string, fault: WechatFakeFault | null): Record<string, string> {
    if (fault === "no_signature") return {};
    const now = Math.floor(Date.now() / 1000);
    const timestamp = String(fault === "stale_signature" ? now - 400 : now);
    const nonce = randomBytes(16).toString("hex");
    const key = fault === "bad_signature" ? impostor.privateKey : platform.privateKey;
    return {
      "Wechatpay-Timestamp": timestamp,
      "Wechatpay-Nonce": nonce,
      "Wechatpay-Serial": fault === "unknown_serial" ? "PUB_KEY_ID_UNKNOWN" : platformPublicKeyId,
      "Wechatpay-Signature": sign(lines(timestamp, nonce, body), key),
      "Wechatpay-Signature-Type": SIGNATURE_TYPE,
    };
  }

  function reply(res: ServerResponse, status: number, payload: unknown, fault: WechatFakeFault | null): void {
    const body = payload === null ? "" : JSON.stringify(payload);
    const headers: Record<string, string> = { "Request-ID": randomUUID(), ...signedHeaders(body, fault) };
    if (body) headers["Content-Type"] = "application/json; charset=utf-8";
    res.writeHead(status, headers);
    res.end(body);
  }

  function authenticate(req: IncomingMessage, method: string, path: string, body: string): void {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth)
      throw new ApiError(
        401,
        "SIGN_ERROR",
        "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》",
      );
    if (auth.mchid !== mchId) throw new ApiError(401, "SIGN_ERROR", `商户号 ${auth.mchid} 与签名不匹配`);
    if (auth.serial_no !== merchantSerialNo) throw new ApiError(401, "SIGN_ERROR", "商户证书序列号有误");
    const ts = Number(auth.timestamp);
    if (!/^\d{10}$/.test(auth.timestamp ?? "") || Math.abs(Date.now() / 1000 - ts) > maxClockSkewS)
      throw new ApiError(401, "SIGN_ERROR", "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟");
    const message = lines(method, path, auth.timestamp ?? "", auth.nonce_str ?? "", body);
    if (!verify(message, auth.signature ?? "", merchant.publicKey))
      throw new ApiError(401, "SIGN_ERROR", "签名错误，请检查后再试");
    const nonceKey = `${auth.timestamp}:${auth.nonce_str}`;
    if (seenNonces.has(nonceKey)) throw new ApiError(401, "SIGN_ERROR", "nonce_str 重复");
    seenNonces.add(nonceKey);
  }

  function prepay(kind: WechatPrepayKind, raw: string): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ApiError(400, "PARAM_ERROR", "请求体不是合法的JSON");
    }
    const body = objectAt(parsed, "body");
    const order = validatePrepay(kind, body, raw);
    const existing = orders.get(order.outTradeNo);
    if (existing) {
      if (existing.tradeState === "SUCCESS") throw new ApiError(400, "ORDERPAID", "该订单已支付");
      if (existing.amountFen !== order.amountFen || existing.kind !== kind)
        throw new ApiError(400, "INVALID_REQUEST", "201 商户订单号重复");
      return prepayAnswer(existing);
    }
    orders.set(order.outTradeNo, order);
    return prepayAnswer(order);
  }

  function validatePrepay(
    kind: WechatPrepayKind,
    body: Record<string, unknown>,
    raw: string,
  ): WechatFakeOrder {
    const appid = stringAt(body, "appid", 32);
    const mchid = stringAt(body, "mchid", 32);
    if (mchid !== mchId) throw new ApiError(400, "PARAM_ERROR", "mchid 与请求头中的商户号不一致");
    const allowed = kind === "app" ? [appId] : kind === "jsapi" ? [webAppId] : [appId, webAppId];
    if (!allowed.includes(appid)) throw new ApiError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
    const description = stringAt(body, "description", 127);
    const outTradeNo = stringAt(body, "out_trade_no", 32);
    if (!OUT_TRADE_NO.test(outTradeNo)) throw new ApiError(400, "PARAM_ERROR", "out_trade_no 格式错误");
    const notifyUrl = stringAt(body, "notify_url", 255);
    validateNotifyUrl(notifyUrl);
    const amount = objectAt(body.amount, "amount");
    if (!Number.isSafeInteger(amount.total) || (amount.total as number) <= 0)
      throw new ApiError(400, "PARAM_ERROR", "amount.total 必须为正整数(单位:分)");
    if (amount.currency !== undefined && amount.currency !== "CNY")
      throw new ApiError(400, "PARAM_ERROR", "amount.currency 仅支持 CNY");
    const timeExpire = body.time_expire === undefined ? null : String(body.time_expire);
    if (timeExpire !== null && !RFC3339.test(timeExpire))
      throw new ApiError(400, "PARAM_ERROR", "time_expire 不符合 RFC3339");
    let payerOpenid: string | null = null;
    let payerClientIp: string | null = null;
    if (kind === "jsapi") payerOpenid = stringAt(objectAt(body.payer, "payer"), "openid", 128);
    if (kind === "h5") {
      const scene = objectAt(body.scene_info, "scene_info");
      payerClientIp = stringAt(scene, "payer_client_ip", 45);
      const h5Type = stringAt(objectAt(scene.h5_info, "scene_info.h5_info"), "type", 32);
      if (!H5_TYPES.has(h5Type)) throw new ApiError(400, "PARAM_ERROR", "scene_info.h5_info.type 无效");
    }
    return {
      kind,
      appid,
      mchid,
      outTradeNo,
      description,
      notifyUrl,
      amountFen: amount.total as number,
      timeExpire,
      payerOpenid,
      payerClientIp,
      prepayId: `wx${Date.now()}${randomBytes(8).toString("hex")}`,
      tradeState: "NOTPAY",
      transactionId: null,
      successTime: null,
      requestBody: raw,
    };
  }

  /** https in production; plain http is accepted so that tests can listen on 127.0.0.1. No query string. */
  function validateNotifyUrl(notifyUrl: string): void {
    let url: URL;
    try {
      url = new URL(notifyUrl);
    } catch {
      throw new ApiError(400, "PARAM_ERROR", "notify_url 格式错误");
    }
    if (!["http:", "https:"].includes(url.protocol) || url.search)
      throw new ApiError(400, "PARAM_ERROR", "notify_url 必须为https且不能携带参数");
  }

  function prepayAnswer(order: WechatFakeOrder): unknown {
    if (order.kind !== "h5") return { prepay_id: order.prepayId };
    const pkg = randomDigits(10);
    return {
      h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${order.prepayId}&package=${pkg}`,
    };
  }

  function transactionOf(order: WechatFakeOrder, over: WechatNotifyOverrides = {}): Record<string, unknown> {
    const state = over.tradeState ?? order.tradeState;
    const paid = state === "SUCCESS";
    const total = over.amountFen ?? order.amountFen;
    return {
      appid: over.appid ?? order.appid,
      mchid: over.mchid ?? order.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid ? { transaction_id: order.transactionId ?? newTransactionId() } : {}),
      trade_type: TRADE_TYPES[order.kind],
      trade_state: state,
      trade_state_desc: STATE_DESC[state] ?? state,
      bank_type: paid ? "OTHERS" : "",
      attach: "",
      ...(paid ? { success_time: order.successTime ?? beijingRfc3339(new Date()) } : {}),
      payer: { openid: order.payerOpenid ?? `o${randomBytes(12).toString("hex")}` },
      amount: { total, payer_total: paid ? total : 0, currency: "CNY", payer_currency: "CNY" },
    };
  }

  function orderPath(path: string, suffix: string): string | null {
    const m = new RegExp(`^/v3/pay/transactions/out-trade-no/([^/?]+)${suffix}$`).exec(path);
    return m?.[1] ? decodeURIComponent(m[1]) : null;
  }

  function route(method: string, url: URL, body: string): { status: number; payload: unknown } {
    const prepayKind = /^\/v3\/pay\/transactions\/(app|h5|jsapi)$/.exec(
      url.pathname,
    )?.[1] as WechatPrepayKind;
    if (method === "POST" && prepayKind) return { status: 200, payload: prepay(prepayKind, body) };
    const queried = orderPath(url.pathname, "");
    if (method === "GET" && queried) {
      if (url.searchParams.get("mchid") !== mchId)
        throw new ApiError(400, "PARAM_ERROR", "mchid 与请求头不一致");
      const order = orders.get(queried);
      if (!order) throw new ApiError(404, "ORDER_NOT_EXIST", "订单不存在");
      return { status: 200, payload: transactionOf(order) };
    }
    const closing = orderPath(url.pathname, "/close");
    if (method === "POST" && closing) {
      const parsed = objectAt(JSON.parse(body || "null"), "body");
      if (parsed.mchid !== mchId) throw new ApiError(400, "PARAM_ERROR", "mchid 与请求头不一致");
      const order = orders.get(closing);
      if (!order) throw new ApiError(404, "ORDER_NOT_EXIST", "订单不存在");
      if (order.tradeState === "SUCCESS") throw new ApiError(400, "ORDER_PAID", "订单已支付");
      order.tradeState = "CLOSED"; // closing a CLOSED order again answers 204 as well
      return { status: 204, payload: null };
    }
    throw new ApiError(404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fault = pendingFaults.shift() ?? null;
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault === "slow") await sleep(slowMs);
    let status: number;
    let payload: unknown;
    try {
      if (fault === "5xx") throw new ApiError(500, "SYSTEM_ERROR", "系统错误");
      if (!String(req.headers.accept ?? "").includes("application/json"))
        throw new ApiError(400, "PARAM_ERROR", "Accept 必须为 application/json");
      authenticate(req, method, path, body);
      ({ status, payload } = route(method, new URL(path, "http://fake"), body));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(400, "PARAM_ERROR", String(err));
      status = e.status;
      payload = { code: e.code, message: e.message };
    }
    const code = status >= 300 ? ((payload as { code?: string }).code ?? null) : null;
    requests.push({ method, path, body, status, code });
    if (!res.destroyed) reply(res, status, payload, fault);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function orderOf(outTradeNo: string): WechatFakeOrder {
    const order = orders.get(outTradeNo);
    if (!order) throw new Error(`WeChat Pay fake: no order ${outTradeNo}`);
    return order;
  }

  function markPaid(order: WechatFakeOrder): void {
    if (order.tradeState === "CLOSED")
      throw new Error(`WeChat Pay fake: order ${order.outTradeNo} is closed`);
    if (order.tradeState === "SUCCESS") return;
    order.tradeState = "SUCCESS";
    order.transactionId = newTransactionId();
    order.successTime = beijingRfc3339(new Date());
  }

  function encrypt(plaintext: string, tamper: boolean) {
    const nonce = randomBytes(6).toString("hex");
    const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
    cipher.setAAD(Buffer.from("transaction", "utf8"));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    if (tamper) data[0] = (data[0] ?? 0) ^ 0x01;
    return {
      original_type: "transaction",
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: data.toString("base64"),
      associated_data: "transaction",
      nonce,
    };
  }

  function buildNotify(outTradeNo: string, over: WechatNotifyOverrides = {}) {
    if (over.body !== undefined) {
      const earlier = deliveries.find((d) => d.rawBody === over.body);
      if (!earlier) throw new Error("WeChat Pay fake: that body was never delivered");
      return { rawBody: earlier.rawBody, headers: { ...earlier.headers } };
    }
    const order = orderOf(outTradeNo);
    const transaction = transactionOf(order, { tradeState: "SUCCESS", ...over });
    const rawBody = JSON.stringify({
      id: randomUUID(),
      create_time: beijingRfc3339(new Date()),
      resource_type: "encrypt-resource",
      event_type: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      resource: encrypt(JSON.stringify(transaction), over.tamperCiphertext === true),
    });
    const timestamp = String(Math.floor(Date.now() / 1000) + (over.timestampOffsetS ?? 0));
    const nonce = randomBytes(16).toString("hex");
    const key = over.badSignature ? impostor.privateKey : platform.privateKey;
    const signature = over.probe
      ? `WECHATPAY/SIGNTEST/${randomBytes(32).toString("base64")}`
      : sign(lines(timestamp, nonce, rawBody), key);
    const headers = {
      "content-type": "application/json",
      "user-agent": "Mozilla/4.0",
      "wechatpay-timestamp": timestamp,
      "wechatpay-nonce": nonce,
      "wechatpay-serial": platformPublicKeyId,
      "wechatpay-signature": signature,
      "wechatpay-signature-type": SIGNATURE_TYPE,
    };
    return { rawBody, headers };
  }

  async function deliver(order: WechatFakeOrder, rawBody: string, headers: Record<string, string>) {
    let status = 0;
    let body = "";
    try {
      const res = await fetch(order.notifyUrl, {
        method: "POST",
        headers,
        body: rawBody,
        signal: AbortSignal.timeout(5000), // WeChat waits 5 s for the answer
      });
      status = res.status;
      body = await res.text();
    } catch (err) {
      body = String(err);
    }
    const delivery = {
      outTradeNo: order.outTradeNo,
      url: order.notifyUrl,
      rawBody,
      headers,
      status,
      body,
      at: new Date(),
    };
    deliveries.push(delivery);
    return delivery;
  }

  const succeeded = (status: number) => status >= 200 && status < 300;

  return {
    baseUrl,
    mchId,
    appId,
    webAppId,
    apiV3Key,
    merchantSerialNo,
    platformPublicKeyId,
    merchantPrivateKeyPem: pem(merchant.privateKey, "pkcs8"),
    merchantPublicKeyPem: pem(merchant.publicKey, "spki"),
    platformPrivateKeyPem: pem(platform.privateKey, "pkcs8"),
    platformPublicKeyPem: pem(platform.publicKey, "spki"),
    providerConfig: {
      WECHATPAY_MCH_ID: mchId,
      WECHATPAY_APP_ID: appId,
      WECHATPAY_WEB_APP_ID: webAppId,
      WECHATPAY_API_V3_KEY: apiV3Key,
      WECHATPAY_MCH_SERIAL_NO: merchantSerialNo,
      WECHATPAY_PRIVATE_KEY: pem(merchant.privateKey, "pkcs8"),
      WECHATPAY_PLATFORM_PUBLIC_KEY: pem(platform.publicKey, "spki"),
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: platformPublicKeyId,
      WECHATPAY_BASE_URL: baseUrl,
    },
    orders,
    deliveries,
    requests,
    failNext(fault, times = 1) {
      pendingFaults.length = 0;
      for (let i = 0; i < times; i++) pendingFaults.push(fault);
    },
    async pay(outTradeNo, payOpts = {}) {
      const order = orderOf(outTradeNo);
      markPaid(order);
      const { rawBody, headers } = buildNotify(outTradeNo);
      const delays = payOpts.retryDelaysMs ?? retryDelaysMs;
      const attempts: { status: number; body: string }[] = [];
      for (let i = 0; ; i++) {
        const { status, body } = await deliver(order, rawBody, headers);
        attempts.push({ status, body });
        const delay = delays[i];
        if (succeeded(status) || delay === undefined) return attempts;
        await sleep(delay);
      }
    },
    payWithoutNotify(outTradeNo) {
      const order = orderOf(outTradeNo);
      markPaid(order);
      return order;
    },
    async sendNotify(outTradeNo, overrides = {}) {
      const { rawBody, headers } = buildNotify(outTradeNo, overrides);
      const { status, body } = await deliver(orderOf(outTradeNo), rawBody, headers);
      return { status, body, rawBody, headers };
    },
    buildNotify,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
