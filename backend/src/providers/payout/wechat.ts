/**
 * WeChat Pay 商家转账 (the upgraded 2025 API): POST /v3/fund-app/mch-transfer/transfer-bills and the query by
 * out_bill_no. Facts: ../shared/integrations/payments-login-sms.md §1.7. Every request is signed and every
 * 2xx answer verified with the v3 helpers of the pay provider.
 *
 * WeChat's rule for this API: a non-200 answer says nothing about the bill, so it is `unknown` and the caller
 * queries (then repeats the SAME out_bill_no); only a bill in FAIL / CANCELLED is a definitive failure.
 */
import type { KeyObject } from "node:crypto";
import type { AppConfig } from "../../config/env.js";
import {
  encryptSensitiveField,
  type MerchantCredentials,
  privateKeyOf,
  publicKeyOf,
  sendSignedV3,
  V3TransportError,
  verifySignedMessage,
} from "../pay/wechat-v3.js";
import type { PayoutProvider, PayoutRequest, PayoutResult } from "./types.js";

export interface TransferSceneReportInfo {
  info_type: string;
  info_content: string;
}

export interface WechatPayoutOptions {
  baseUrl: string;
  /** The AppID the payees' openids belong to (bound to mchId). */
  appId: string;
  mchId: string;
  /** Serial number of the merchant API certificate. */
  serialNo: string;
  privateKeyPem: string;
  /** Platform keys by `Wechatpay-Serial`: `PUB_KEY_ID_…` (public-key mode) or a certificate serial. */
  platformKeys: Record<string, string>;
  /** The platform key that encrypts user_name (sent as Wechatpay-Serial); default the first of platformKeys. */
  encryptionKeyId?: string;
  /** 转账场景ID applied for in 商户平台; default 1005 (佣金报酬). */
  transferSceneId?: string;
  /** transfer_scene_report_infos; the default fits scene 1005 (岗位类型 + 报酬说明). */
  sceneReportInfos?: TransferSceneReportInfo[];
  /** user_recv_perception; not sent by default (WeChat then shows the scene's default). */
  userRecvPerception?: string;
  /** Where WeChat posts the bill's final state; not sent by default (we poll with the query). */
  notifyUrl?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export const DEFAULT_TRANSFER_SCENE_ID = "1005";
const DEFAULT_REPORT_INFOS: TransferSceneReportInfo[] = [
  { info_type: "岗位类型", info_content: "内容创作者" },
  { info_type: "报酬说明", info_content: "创作收益提现" },
];
/** From ¥2,000 WeChat requires the payee's real name. */
export const USER_NAME_REQUIRED_FROM_FEN = 200_000n;
const REMARK_MAX_CHARS = 32;
const TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills";
const USER_AGENT = "SkyRiff-backend (wechatpay-v3 payout)";

const PROCESSING_STATES = new Set([
  "ACCEPTED",
  "PROCESSING",
  "WAIT_USER_CONFIRM",
  "TRANSFERING",
  "CANCELING",
]);
const FAILED_STATES = new Set(["FAIL", "CANCELLED"]);

type Unknown = Extract<PayoutResult, { state: "unknown" }>;
interface Reply {
  status: number;
  body: Record<string, unknown> | null;
}

export class WechatPayoutProvider implements PayoutProvider {
  readonly channel = "wechat" as const;
  private readonly baseUrl: string;
  private readonly appId: string;
  private readonly merchant: MerchantCredentials;
  private readonly platformKeys: ReadonlyMap<string, KeyObject>;
  private readonly encryptionKeyId: string;
  private readonly sceneId: string;
  private readonly reportInfos: TransferSceneReportInfo[];
  private readonly userRecvPerception: string | undefined;
  private readonly notifyUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(options: WechatPayoutOptions) {
    const keyIds = Object.keys(options.platformKeys);
    const encryptionKeyId = options.encryptionKeyId ?? keyIds[0];
    if (!encryptionKeyId || !keyIds.includes(encryptionKeyId))
      throw new Error("WeChat payout: the platform public key that encrypts user_name is missing");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.appId = options.appId;
    this.merchant = {
      mchId: options.mchId,
      serialNo: options.serialNo,
      privateKey: privateKeyOf(options.privateKeyPem),
    };
    this.platformKeys = new Map(
      Object.entries(options.platformKeys).map(([id, pem]) => [id, publicKeyOf(pem)]),
    );
    this.encryptionKeyId = encryptionKeyId;
    this.sceneId = options.transferSceneId ?? DEFAULT_TRANSFER_SCENE_ID;
    this.reportInfos = options.sceneReportInfos ?? DEFAULT_REPORT_INFOS;
    this.userRecvPerception = options.userRecvPerception;
    this.notifyUrl = options.notifyUrl;
    this.timeoutMs = options.timeoutMs;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => new Date());
  }

  static fromConfig(
    config: AppConfig,
    extra: Pick<WechatPayoutOptions, "transferSceneId" | "sceneReportInfos" | "userRecvPerception"> = {},
  ): WechatPayoutProvider {
    const required = {
      WECHATPAY_MCH_ID: config.WECHATPAY_MCH_ID,
      WECHATPAY_APP_ID: config.WECHATPAY_APP_ID,
      WECHATPAY_MCH_SERIAL_NO: config.WECHATPAY_MCH_SERIAL_NO,
      WECHATPAY_PRIVATE_KEY: config.WECHATPAY_PRIVATE_KEY,
      WECHATPAY_PLATFORM_PUBLIC_KEY: config.WECHATPAY_PLATFORM_PUBLIC_KEY,
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: config.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
    };
    const missing = Object.entries(required).filter(([, v]) => !v);
    if (missing.length)
      throw new Error(`WeChat payout is not configured: set ${missing.map(([k]) => k).join(", ")}`);
    const v = required as Record<keyof typeof required, string>;
    return new WechatPayoutProvider({
      ...extra,
      baseUrl: config.WECHATPAY_BASE_URL,
      appId: v.WECHATPAY_APP_ID,
      mchId: v.WECHATPAY_MCH_ID,
      serialNo: v.WECHATPAY_MCH_SERIAL_NO,
      privateKeyPem: v.WECHATPAY_PRIVATE_KEY,
      platformKeys: { [v.WECHATPAY_PLATFORM_PUBLIC_KEY_ID]: v.WECHATPAY_PLATFORM_PUBLIC_KEY },
      timeoutMs: config.PAY_HTTP_TIMEOUT_MS,
    });
  }

  async transfer(req: PayoutRequest): Promise<PayoutResult> {
    const refusal = payeeRefusal(req);
    if (refusal) return refusal;
    const name = req.payee.name.trim();
    const body = this.transferBody(req, req.payee.openid ?? "", name);
    // The key that encrypted user_name must be named, or WeChat cannot decrypt it.
    const headers: Record<string, string> = name ? { "Wechatpay-Serial": this.encryptionKeyId } : {};
    const reply = await this.call("POST", TRANSFER_PATH, body, headers);
    if ("state" in reply) return reply;
    if (reply.status === 200) return resultOfBill(reply.body, req.outBizNo);
    return unknownAnswer("transfer", reply);
  }

  async query(req: PayoutRequest): Promise<PayoutResult | { state: "not_found" }> {
    const reply = await this.call("GET", `${TRANSFER_PATH}/out-bill-no/${encodeURIComponent(req.outBizNo)}`);
    if ("state" in reply) return reply;
    if (reply.status === 200) return resultOfBill(reply.body, req.outBizNo);
    if (reply.status === 404 && errorCode(reply) === "NOT_FOUND") return { state: "not_found" };
    return unknownAnswer("query", reply);
  }

  private transferBody(req: PayoutRequest, openid: string, name: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      appid: this.appId,
      out_bill_no: req.outBizNo,
      transfer_scene_id: this.sceneId,
      openid,
      transfer_amount: fenNumber(req.amountFen),
      transfer_remark: remarkOf(req.remark),
      transfer_scene_report_infos: this.reportInfos,
    };
    if (name) body.user_name = encryptSensitiveField(name, this.encryptionKey());
    if (this.userRecvPerception) body.user_recv_perception = this.userRecvPerception;
    if (this.notifyUrl) body.notify_url = this.notifyUrl;
    return body;
  }

  private encryptionKey(): KeyObject {
    const key = this.platformKeys.get(this.encryptionKeyId);
    if (!key) throw new Error(`WeChat payout: no platform key ${this.encryptionKeyId}`);
    return key;
  }

  /** One signed request: the parsed reply, or `unknown` when nothing trustworthy came back. */
  private async call(
    method: "GET" | "POST",
    path: string,
    body?: object,
    extraHeaders: Record<string, string> = {},
  ): Promise<Reply | Unknown> {
    const url = new URL(`${this.baseUrl}${path}`);
    let sent: { res: Response; raw: string };
    try {
      sent = await sendSignedV3({
        fetch: this.fetch,
        merchant: this.merchant,
        url,
        method,
        body,
        headers: extraHeaders,
        userAgent: USER_AGENT,
        timeoutMs: this.timeoutMs,
        now: this.now(),
      });
    } catch (err) {
      if (err instanceof V3TransportError) return unknown(`WeChat ${err.message}`);
      throw err;
    }
    return this.readVerified(`WeChat ${method} ${url.pathname}`, sent.res, sent.raw);
  }

  /**
   * 5xx / 429: unknown, body ignored. A 2xx must carry a valid signature. A 4xx is verified when it carries
   * Wechatpay-* headers (WeChat does not promise to sign errors); it can only ever lead to unknown or
   * not_found, never to success or failed.
   */
  private readVerified(what: string, res: Response, raw: string): Reply | Unknown {
    if (res.status >= 500 || res.status === 429)
      return unknown(`${what}: HTTP ${res.status} ${raw.slice(0, 200)}`);
    const headers = Object.fromEntries(res.headers);
    if (res.ok || headers["wechatpay-signature"] !== undefined) {
      const check = verifySignedMessage(headers, raw, this.platformKeys, this.now());
      if (!check.ok)
        return unknown(`${what}: answer refused, its signature does not verify (${check.detail})`);
    }
    if (raw === "") return { status: res.status, body: null };
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      return { status: res.status, body: parsed as Record<string, unknown> };
    } catch {
      return unknown(`${what}: HTTP ${res.status} with a body that is not a JSON object`);
    }
  }
}

const unknown = (reason: string): Unknown => ({ state: "unknown", reason });

/** What we refuse before asking WeChat: nothing was sent, so the transfer cannot have happened. */
function payeeRefusal(req: PayoutRequest): PayoutResult | null {
  if (!req.payee.openid)
    return {
      state: "failed",
      code: "PAYEE_OPENID_MISSING",
      reason: "收款用户未绑定微信(缺少 openid)",
      rawState: "NOT_SENT",
    };
  if (!req.payee.name.trim() && req.amountFen >= USER_NAME_REQUIRED_FROM_FEN)
    return {
      state: "failed",
      code: "PAYEE_NAME_REQUIRED",
      reason: "单笔 2000 元及以上须提供收款人真实姓名",
      rawState: "NOT_SENT",
    };
  return null;
}

function fenNumber(fen: bigint): number {
  if (fen <= 0n || fen > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`WeChat payout: amount must be a positive integer of fen, got ${fen}`);
  return Number(fen);
}

/** transfer_remark is required and at most 32 characters (code points). */
function remarkOf(remark: string): string {
  const chars = Array.from(remark.trim());
  return chars.length ? chars.slice(0, REMARK_MAX_CHARS).join("") : "提现";
}

/** A verified bill (create answer or query answer) as a PayoutResult. */
function resultOfBill(body: Record<string, unknown> | null, outBillNo: string): PayoutResult {
  const state = typeof body?.state === "string" ? body.state : "";
  if (body?.out_bill_no !== outBillNo)
    return unknown(`WeChat answered about bill ${String(body?.out_bill_no)}, not ${outBillNo}`);
  const gatewayRef = typeof body.transfer_bill_no === "string" ? body.transfer_bill_no : null;
  if (state === "SUCCESS") return { state: "success", gatewayRef, rawState: state };
  if (PROCESSING_STATES.has(state)) return { state: "processing", gatewayRef, rawState: state };
  if (FAILED_STATES.has(state)) {
    const failReason = typeof body.fail_reason === "string" && body.fail_reason ? body.fail_reason : state;
    const reason = state === "CANCELLED" ? "转账已撤销" : `微信转账失败 (${failReason})`;
    return { state: "failed", code: failReason, reason, rawState: state };
  }
  return unknown(`WeChat bill ${outBillNo} is in an unknown state "${state}"`);
}

const errorCode = (reply: Reply): string | undefined =>
  typeof reply.body?.code === "string" ? reply.body.code : undefined;

function unknownAnswer(operation: string, reply: Reply): Unknown {
  const message = typeof reply.body?.message === "string" ? reply.body.message : "";
  return unknown(
    `WeChat ${operation}: HTTP ${reply.status} ${errorCode(reply) ?? "(no code)"} ${message}`.trim(),
  );
}
