/**
 * WeChat Pay API v3 wire format, shared by the WeChat provider and the sandbox gateway (which speaks the
 * same protocol with its own keys, so one verification path runs in development and production).
 * Facts: ../shared/integrations/payments-login-sms.md §1.1, §1.3–1.5.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import type { GatewayTrade, NotifyRequest, NotifyVerdict } from "./types.js";

/** WeChat refuses, and we refuse, a signature timestamp more than 5 minutes from the local clock. */
export const MAX_CLOCK_SKEW_S = 300;
export const SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048";

export const privateKeyOf = (pem: string): KeyObject => createPrivateKey(pem.replace(/\\n/g, "\n"));
export const publicKeyOf = (pem: string): KeyObject => createPublicKey(pem.replace(/\\n/g, "\n"));

export const nonceString = (bytes = 16): string => randomBytes(bytes).toString("hex");
export const unixSeconds = (at: Date): string => String(Math.floor(at.getTime() / 1000));

/** Lines joined with "\n", each line (the last one too) ending in "\n". */
export const joinedLines = (...lines: string[]): string => lines.map((l) => `${l}\n`).join("");

export function rsaSign(message: string, key: KeyObject): string {
  return createSign("RSA-SHA256").update(message).sign(key, "base64");
}

export function rsaVerify(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(message).verify(key, signature, "base64");
  } catch {
    return false;
  }
}

/**
 * A sensitive request field (e.g. `user_name` of a transfer): RSAES-OAEP with SHA-1 / MGF1-SHA-1 under the
 * platform public key, base64. The request must then name that key in `Wechatpay-Serial`.
 */
export function encryptSensitiveField(plaintext: string, platformKey: KeyObject): string {
  return publicEncrypt(
    { key: platformKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    Buffer.from(plaintext, "utf8"),
  ).toString("base64");
}

export interface MerchantCredentials {
  mchId: string;
  /** The serial number of the merchant API certificate. */
  serialNo: string;
  privateKey: KeyObject;
}

/** `Authorization: WECHATPAY2-SHA256-RSA2048 …` over METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n. */
export function authorizationHeader(
  merchant: MerchantCredentials,
  method: string,
  urlPathWithQuery: string,
  body: string,
  at: Date,
  nonce = nonceString(),
): string {
  const timestamp = unixSeconds(at);
  const signature = rsaSign(
    joinedLines(method.toUpperCase(), urlPathWithQuery, timestamp, nonce, body),
    merchant.privateKey,
  );
  return (
    `${SIGNATURE_TYPE} mchid="${merchant.mchId}",nonce_str="${nonce}",signature="${signature}",` +
    `timestamp="${timestamp}",serial_no="${merchant.serialNo}"`
  );
}

/** A network failure or timeout of a signed v3 request: nothing trustworthy came back. */
export class V3TransportError extends Error {}

/**
 * Sends one request to the v3 API signed with the merchant key (Authorization over METHOD, path with
 * query, timestamp, nonce and body) and reads the raw reply; verifying it is the caller's business.
 */
export async function sendSignedV3(req: {
  fetch: typeof fetch;
  merchant: MerchantCredentials;
  url: URL;
  method: "GET" | "POST";
  body?: object;
  headers?: Record<string, string>;
  userAgent: string;
  timeoutMs: number;
  now: Date;
}): Promise<{ res: Response; raw: string }> {
  const text = req.body === undefined ? "" : JSON.stringify(req.body);
  const headers: Record<string, string> = {
    ...req.headers,
    Accept: "application/json",
    "User-Agent": req.userAgent,
    Authorization: authorizationHeader(
      req.merchant,
      req.method,
      `${req.url.pathname}${req.url.search}`,
      text,
      req.now,
    ),
  };
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const res = await req.fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : text,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { res, raw: await res.text() };
  } catch (err) {
    throw new V3TransportError(`${req.method} ${req.url.pathname}: ${describeFetchError(err)}`);
  }
}

export function describeFetchError(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}

/** The `Wechatpay-*` headers a gateway puts on a response or notification body. */
export function signedHeaders(
  body: string,
  gatewayKey: KeyObject,
  serial: string,
  at: Date,
  nonce = nonceString(),
): Record<string, string> {
  const timestamp = unixSeconds(at);
  return {
    "wechatpay-timestamp": timestamp,
    "wechatpay-nonce": nonce,
    "wechatpay-serial": serial,
    "wechatpay-signature": rsaSign(joinedLines(timestamp, nonce, body), gatewayKey),
    "wechatpay-signature-type": SIGNATURE_TYPE,
  };
}

const header = (headers: NotifyRequest["headers"], name: string): string | undefined => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export type SignatureCheck = { ok: true } | { ok: false; reason: "bad_signature" | "stale"; detail: string };

/**
 * Verifies `Wechatpay-Signature` over TS\nNONCE\nBODY\n with the platform key named by `Wechatpay-Serial`
 * (a platform certificate serial or a `PUB_KEY_ID_…`), and the timestamp within ±5 minutes.
 */
export function verifySignedMessage(
  headers: NotifyRequest["headers"],
  rawBody: string,
  platformKeys: ReadonlyMap<string, KeyObject>,
  now: Date,
): SignatureCheck {
  const timestamp = header(headers, "wechatpay-timestamp");
  const nonce = header(headers, "wechatpay-nonce");
  const signature = header(headers, "wechatpay-signature");
  const serial = header(headers, "wechatpay-serial");
  if (!timestamp || !nonce || !signature || !serial)
    return { ok: false, reason: "bad_signature", detail: "missing Wechatpay-* headers" };
  const key = platformKeys.get(serial);
  if (!key) return { ok: false, reason: "bad_signature", detail: `unknown platform key ${serial}` };
  if (!rsaVerify(joinedLines(timestamp, nonce, rawBody), signature, key))
    return { ok: false, reason: "bad_signature", detail: `signature does not verify (serial ${serial})` };
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (!Number.isFinite(skew) || skew > MAX_CLOCK_SKEW_S)
    return { ok: false, reason: "stale", detail: `timestamp ${timestamp} is ${Math.round(skew)} s from now` };
  return { ok: true };
}

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

/** AEAD_AES_256_GCM with the APIv3 key: ciphertext is base64(ct ‖ 16-byte tag). */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  const data = Buffer.from(resource.ciphertext, "base64");
  if (data.length < 17) throw new Error("ciphertext too short");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    Buffer.from(apiV3Key, "utf8"),
    Buffer.from(resource.nonce, "utf8"),
  );
  decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

export function encryptResource(
  plaintext: string,
  apiV3Key: string,
  associatedData: string,
): EncryptedResource {
  const nonce = randomBytes(6).toString("hex"); // 12 characters, as WeChat sends
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return {
    original_type: "transaction",
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: ct.toString("base64"),
    associated_data: associatedData,
    nonce,
  };
}

/** The decrypted `transaction` of a notification, or the body of the order query. */
export interface WechatTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string; payer_currency?: string };
}

const PAID_STATES = new Set(["SUCCESS"]);
/** REFUND means it was paid once; CLOSED / REVOKED / PAYERROR will never be paid. */
const CLOSED_STATES = new Set(["CLOSED", "REVOKED", "PAYERROR"]);

export function tradeOfTransaction(t: WechatTransaction): GatewayTrade {
  const paid = PAID_STATES.has(t.trade_state) || t.trade_state === "REFUND";
  return {
    outTradeNo: t.out_trade_no,
    gatewayTradeNo: t.transaction_id ?? null,
    state: paid ? "paid" : CLOSED_STATES.has(t.trade_state) ? "closed" : "pending",
    rawState: t.trade_state,
    amountFen: t.amount?.total ?? -1,
    currency: t.amount?.currency ?? "CNY",
    appId: t.appid,
    merchantId: t.mchid,
    paidAt: t.success_time ? new Date(t.success_time) : null,
  };
}

export interface NotifyKeys {
  platformKeys: ReadonlyMap<string, KeyObject>;
  apiV3Key: string;
}

/** Signature, freshness, then AES-GCM decryption of a v3 notification (`TRANSACTION.SUCCESS` …). */
export function verifyWechatNotify(req: NotifyRequest, now: Date, keys: NotifyKeys): NotifyVerdict {
  const check = verifySignedMessage(req.headers, req.rawBody, keys.platformKeys, now);
  if (!check.ok) return check;
  let event: { id?: string; event_type?: string; resource?: EncryptedResource };
  try {
    event = JSON.parse(req.rawBody);
  } catch {
    return { ok: false, reason: "malformed", detail: "body is not JSON" };
  }
  if (!event.resource?.ciphertext || event.resource.algorithm !== "AEAD_AES_256_GCM")
    return { ok: false, reason: "malformed", detail: "no AEAD_AES_256_GCM resource" };
  let transaction: WechatTransaction;
  try {
    transaction = JSON.parse(decryptResource(event.resource, keys.apiV3Key));
  } catch {
    return { ok: false, reason: "malformed", detail: "resource does not decrypt with the APIv3 key" };
  }
  return {
    ok: true,
    trade: tradeOfTransaction(transaction),
    eventId: event.id ?? "",
    eventType: event.event_type ?? "",
    payload: { ...event, resource: transaction },
  };
}

/** WeChat's answers: 200 (or 204) stops the retries; 4xx/5xx with a FAIL body asks for another try. */
export const wechatAnswer = (accepted: boolean) =>
  accepted
    ? { status: 200, contentType: "application/json", body: '{"code":"SUCCESS","message":"成功"}' }
    : { status: 400, contentType: "application/json", body: '{"code":"FAIL","message":"失败"}' };
