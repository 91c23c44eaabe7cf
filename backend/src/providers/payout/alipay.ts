/**
 * Alipay 单笔转账 to an Alipay account: alipay.fund.trans.uni.transfer (TRANS_ACCOUNT_NO_PWD / DIRECT_TRANSFER)
 * and alipay.fund.trans.common.query, on the official alipay-sdk v2 gateway with response signatures checked.
 * Facts: ../shared/integrations/payments-login-sms.md §2.3. Repeating a transfer with the same out_biz_no is
 * idempotent at Alipay; only a listed business sub_code is a definitive failure, everything else is unknown.
 */
import { AlipaySdk, type AlipaySdkCommonResult } from "alipay-sdk";
import type { AppConfig } from "../../config/env.js";
import { beijingTime, fenToYuan, pkcs8PrivateKeyPem, spkiPublicKeyPem } from "../pay/alipay.js";
import type { PayoutProvider, PayoutRequest, PayoutResult } from "./types.js";

export interface AlipayPayoutOptions {
  /** v2 gateway, e.g. https://openapi.alipay.com/gateway.do */
  gateway: string;
  appId: string;
  /** App private key: PKCS#8 or PKCS#1 PEM, or the bare base64 the Alipay key tool prints. */
  privateKeyPem: string;
  /** The Alipay public key (not the app public key): SPKI PEM or bare base64. */
  alipayPublicKeyPem: string;
  timeoutMs: number;
  /** order_title, shown in the payee's Alipay bill. */
  orderTitle?: string;
  now?: () => Date;
}

const TRANSFER = "alipay.fund.trans.uni.transfer";
const QUERY = "alipay.fund.trans.common.query";
const PRODUCT_CODE = "TRANS_ACCOUNT_NO_PWD";
const BIZ_SCENE = "DIRECT_TRANSFER";
const SUCCESS = "10000";
const BUSINESS_FAILED = "40004";
const REMARK_MAX_CHARS = 200;

/**
 * 40004 sub_codes after which the transfer was not made and this request cannot succeed: the payee or the
 * payer account refuses, or a limit is reached. Not listed on purpose: SYSTEM_ERROR, RESOURCE_LIMIT_EXCEED,
 * PAYMENT_INFO_INCONSISTENCY (an order with this out_biz_no exists!), PAYMENT_TIME_EXPIRE and any code not
 * known here: those are unknown, and the query decides.
 */
export const DEFINITIVE_SUB_CODES: ReadonlySet<string> = new Set([
  "INVALID_PARAMETER",
  "PAYEE_NOT_EXIST",
  "PAYEE_ACCOUNT_NOT_EXSIT",
  "PAYEE_USER_INFO_ERROR",
  "PAYEE_ACC_OCUPIED",
  "PAYEE_ACCOUNT_STATUS_ERROR",
  "PAYEE_USERINFO_STATUS_ERROR",
  "PAYEE_TRUSTEESHIP_ACC_OVER_LIMIT",
  "PERMIT_NON_BANK_LIMIT_PAYEE",
  "PERM_AML_NOT_REALNAME_REV",
  "NO_ACCOUNT_RECEIVE_PERMISSION",
  "TRUSTEESHIP_RECIEVE_QUOTA_LIMIT",
  "EXCEED_LIMIT_SM_AMOUNT",
  "EXCEED_LIMIT_MM_AMOUNT",
  "EXCEED_LIMIT_DM_AMOUNT",
  "EXCEED_LIMIT_DM_MAX_AMOUNT",
  "EXCEED_LIMIT_PERSONAL_SM_AMOUNT",
  "EXCEED_LIMIT_UNRN_DM_AMOUNT",
  "EXCEED_LIMIT_DC_RECEIVED",
  "BALANCE_IS_NOT_ENOUGH",
  "PAYER_BALANCE_NOT_ENOUGH",
  "PAYCARD_UNABLE_PAYMENT",
  "PAYER_STATUS_ERROR",
  "PAYER_CERTIFY_CHECK_FAIL",
  "PAYER_USER_INFO_ERROR",
  "PAYER_NOT_EXIST",
  "PAYER_PERMLIMIT_CHECK_FAILURE",
  "PAYER_PAYEE_CANNOT_SAME",
  "PAYER_DATA_INCOMPLETE",
  "NO_ACCOUNT_PAYMENT_PERMISSION",
  "PERMIT_CHECK_PERM_LIMITED",
  "PERMIT_CHECK_PERM_IDENTITY_THEFT",
  "REMARK_HAS_SENSITIVE_WORD",
  "MEMO_REQUIRED_IN_TRANSFER_ERROR",
  "PRODUCT_NOT_SIGN",
]);

type Unknown = Extract<PayoutResult, { state: "unknown" }>;

export class AlipayPayoutProvider implements PayoutProvider {
  readonly channel = "alipay" as const;
  private readonly sdk: AlipaySdk;
  private readonly orderTitle: string;
  private readonly now: () => Date;

  constructor(options: AlipayPayoutOptions) {
    this.orderTitle = options.orderTitle ?? "SkyRiff 提现";
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

  static fromConfig(
    config: AppConfig,
    extra: Pick<AlipayPayoutOptions, "orderTitle"> = {},
  ): AlipayPayoutProvider {
    const required = {
      ALIPAY_APP_ID: config.ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: config.ALIPAY_PRIVATE_KEY,
      ALIPAY_PUBLIC_KEY: config.ALIPAY_PUBLIC_KEY,
    };
    const missing = Object.entries(required).filter(([, v]) => !v);
    if (missing.length)
      throw new Error(`Alipay payout is not configured: set ${missing.map(([k]) => k).join(", ")}`);
    const v = required as Record<keyof typeof required, string>;
    return new AlipayPayoutProvider({
      ...extra,
      gateway: config.ALIPAY_GATEWAY,
      appId: v.ALIPAY_APP_ID,
      privateKeyPem: v.ALIPAY_PRIVATE_KEY,
      alipayPublicKeyPem: v.ALIPAY_PUBLIC_KEY,
      timeoutMs: config.PAY_HTTP_TIMEOUT_MS,
    });
  }

  async transfer(req: PayoutRequest): Promise<PayoutResult> {
    // Checked before sending; safe because the caller sends again only after the query said not_found.
    if (!req.payee.name.trim() || !req.payee.account.trim())
      return {
        state: "failed",
        code: "PAYEE_INFO_MISSING",
        reason: "支付宝收款账号和真实姓名均为必填",
        rawState: "NOT_SENT",
      };
    const reply = await this.exec(TRANSFER, this.transferBody(req));
    if (!("answer" in reply)) return reply;
    const result = reply.answer;
    if (result.code === SUCCESS) return resultOfOrder(result, req.outBizNo);
    return refusalOf(result);
  }

  async query(req: PayoutRequest): Promise<PayoutResult | { state: "not_found" }> {
    const reply = await this.exec(QUERY, {
      out_biz_no: req.outBizNo,
      product_code: PRODUCT_CODE,
      biz_scene: BIZ_SCENE,
    });
    if (!("answer" in reply)) return reply;
    const result = reply.answer;
    if (result.code === SUCCESS) return resultOfOrder(result, req.outBizNo);
    // "Not landed (yet)": Alipay asks to query again later or repeat the transfer with the same out_biz_no.
    if (result.code === BUSINESS_FAILED && result.sub_code === "ORDER_NOT_EXIST")
      return { state: "not_found" };
    return unknown(`Alipay ${QUERY} refused: ${describe(result)}`);
  }

  private transferBody(req: PayoutRequest): Record<string, unknown> {
    return {
      out_biz_no: req.outBizNo,
      trans_amount: yuanOf(req.amountFen),
      product_code: PRODUCT_CODE,
      biz_scene: BIZ_SCENE,
      order_title: this.orderTitle,
      remark: Array.from(req.remark.trim()).slice(0, REMARK_MAX_CHARS).join("") || this.orderTitle,
      payee_info: {
        identity: req.payee.account.trim(),
        identity_type: "ALIPAY_LOGON_ID",
        name: req.payee.name.trim(),
      },
    };
  }

  /** The verified `*_response` object, or `unknown` for a timeout, a transport error or a bad signature. */
  private async exec(
    method: string,
    bizContent: Record<string, unknown>,
  ): Promise<{ answer: AlipaySdkCommonResult } | Unknown> {
    try {
      const answer = await this.sdk.exec(
        method,
        { timestamp: beijingTime(this.now()), bizContent },
        { validateSign: true },
      );
      return { answer };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return unknown(`Alipay ${method}: no trustworthy answer (${message.slice(0, 300)})`);
    }
  }
}

const unknown = (reason: string): Unknown => ({ state: "unknown", reason });

/** 100 → "1.00" via the pay provider's digit arithmetic; bigint fen must fit a safe integer. */
function yuanOf(fen: bigint): string {
  if (fen <= 0n || fen > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`Alipay payout: amount must be a positive integer of fen, got ${fen}`);
  return fenToYuan(Number(fen));
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

function describe(r: AlipaySdkCommonResult): string {
  return [r.code, r.msg, r.sub_code, r.sub_msg].filter(Boolean).join(" ");
}

/** A 10000 answer of the transfer or the query, by its `status`. */
function resultOfOrder(r: AlipaySdkCommonResult, outBizNo: string): PayoutResult {
  if (r.out_biz_no !== undefined && r.out_biz_no !== outBizNo)
    return unknown(`Alipay answered about ${String(r.out_biz_no)}, not ${outBizNo}`);
  const status = text(r.status);
  const gatewayRef = text(r.order_id) || null;
  if (status === "SUCCESS") return { state: "success", gatewayRef, rawState: status };
  if (status === "DEALING" || status === "WAIT_PAY")
    return { state: "processing", gatewayRef, rawState: status };
  // FAIL; CLOSED and REFUND (bank-card 退票) also mean the money is not with the payee.
  if (status === "FAIL" || status === "CLOSED" || status === "REFUND") {
    const code = text(r.error_code) || status;
    return {
      state: "failed",
      code,
      reason: text(r.fail_reason) || `支付宝转账失败 (${code})`,
      rawState: status,
    };
  }
  return unknown(`Alipay order ${outBizNo} has an unknown status "${status}"`);
}

/** A non-10000 transfer answer: failed only for a definitive 40004 sub_code (sub_msg is never read). */
function refusalOf(r: AlipaySdkCommonResult): PayoutResult {
  const subCode = text(r.sub_code);
  if (r.code === BUSINESS_FAILED && DEFINITIVE_SUB_CODES.has(subCode))
    return {
      state: "failed",
      code: subCode,
      reason: text(r.sub_msg) || subCode,
      rawState: `${r.code} ${subCode}`,
    };
  return unknown(`Alipay ${TRANSFER} refused: ${describe(r)}`);
}
