/**
 * The gateway side of WeChat Pay API v3, written here with node:crypto from WeChat's documentation (not
 * with the backend's helpers, so a mistake there cannot cancel out in the bench): a merchant identity,
 * the platform key pair in public-key mode (`PUB_KEY_ID_…`), and `TRANSACTION.SUCCESS` notifications
 * whose resource is AEAD_AES_256_GCM-encrypted with the APIv3 key (associated_data "transaction",
 * ciphertext = base64(ct ‖ 16-byte tag)) and whose Wechatpay-* headers are an RSA-SHA256 signature by
 * the platform private key over `timestamp\nnonce\nbody\n`.
 */
import {
  createCipheriv,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from "node:crypto";

export interface BenchMerchant {
  appId: string;
  mchId: string;
  /** Serial number of the merchant API certificate (40 hex digits). */
  serialNo: string;
  /** 32 characters. */
  apiV3Key: string;
  merchantPrivatePem: string;
  platformKeyId: string;
  platformPrivateKey: KeyObject;
  platformPublicPem: string;
}

export function benchMerchant(): BenchMerchant {
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    appId: `wx${randomBytes(8).toString("hex")}`,
    mchId: "1900009191",
    serialNo: randomBytes(20).toString("hex").toUpperCase(),
    apiV3Key: randomBytes(16).toString("hex"),
    merchantPrivatePem: merchant.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    platformKeyId: `PUB_KEY_ID_BENCH${randomBytes(10).toString("hex").toUpperCase()}`,
    platformPrivateKey: platform.privateKey,
    platformPublicPem: platform.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * The backend's settings for this merchant. WECHATPAY_BASE_URL points at a closed local port: the
 * callback path never calls the gateway, and nothing the bench starts can reach the real one.
 */
export function wechatEnv(m: BenchMerchant): Record<string, string> {
  return {
    PAY_CHANNELS: "wechat",
    WECHATPAY_BASE_URL: "http://127.0.0.1:9",
    WECHATPAY_MCH_ID: m.mchId,
    WECHATPAY_APP_ID: m.appId,
    WECHATPAY_API_V3_KEY: m.apiV3Key,
    WECHATPAY_MCH_SERIAL_NO: m.serialNo,
    WECHATPAY_PRIVATE_KEY: m.merchantPrivatePem,
    WECHATPAY_PLATFORM_PUBLIC_KEY: m.platformPublicPem,
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: m.platformKeyId,
  };
}

/** RFC 3339 in Beijing time, as WeChat writes times: 2018-06-08T10:34:56+08:00. */
export function beijingTime(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomAlnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join("");

let transactionSeq = 0;

/** A 28-digit WeChat transaction_id, unique within the run. */
function transactionId(at: Date): string {
  transactionSeq += 1;
  const day = beijingTime(at).slice(0, 10).replaceAll("-", "");
  return `42000029${day}${String(transactionSeq).padStart(12, "0")}`;
}

export interface NotificationBody {
  outTradeNo: string;
  transactionId: string;
  /** The exact bytes WeChat posts (and signs). */
  body: string;
}

/** One `TRANSACTION.SUCCESS` notification for a paid APP order, resource encrypted. */
export function notificationBody(
  m: BenchMerchant,
  order: { outTradeNo: string; amountFen: number },
  at: Date,
): NotificationBody {
  const txId = transactionId(at);
  const transaction = {
    transaction_id: txId,
    amount: {
      payer_total: order.amountFen,
      total: order.amountFen,
      currency: "CNY",
      payer_currency: "CNY",
    },
    mchid: m.mchId,
    trade_state: "SUCCESS",
    bank_type: "OTHERS",
    success_time: beijingTime(at),
    payer: { openid: `o${randomAlnum(27)}` },
    out_trade_no: order.outTradeNo,
    appid: m.appId,
    trade_state_desc: "支付成功",
    trade_type: "APP",
    attach: "",
  };
  const nonce = randomAlnum(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(m.apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from("transaction", "utf8"));
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify(transaction), "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]).toString("base64");
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: beijingTime(at),
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: {
      original_type: "transaction",
      algorithm: "AEAD_AES_256_GCM",
      ciphertext,
      associated_data: "transaction",
      nonce,
    },
  });
  return { outTradeNo: order.outTradeNo, transactionId: txId, body };
}

/** The headers WeChat sends with a notification, signed now (a retry re-signs the same body). */
export function notificationHeaders(m: BenchMerchant, body: string, at: Date): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomAlnum(32);
  const signature = createSign("RSA-SHA256")
    .update(`${timestamp}\n${nonce}\n${body}\n`)
    .sign(m.platformPrivateKey, "base64");
  return {
    "content-type": "application/json",
    "user-agent": "Mozilla/4.0",
    "wechatpay-timestamp": timestamp,
    "wechatpay-nonce": nonce,
    "wechatpay-serial": m.platformKeyId,
    "wechatpay-signature": signature,
    "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  };
}
