/**
 * Local fake of Alipay 单笔转账 on the v2 gateway (`POST /gateway.do`): alipay.fund.trans.uni.transfer and
 * alipay.fund.trans.common.query, written from the documentation (wire format in ./alipay-gateway.ts).
 * Facts: ../shared/integrations/payments-login-sms.md §2.3 and §6.
 *
 * - Transfers are kept by out_biz_no: the same request again answers the same order and never pays twice
 *   (`payments` counts every payment); the same out_biz_no with other params → PAYMENT_INFO_INCONSISTENCY.
 * - `script(outBizNo, behaviour)` decides what the FIRST transfer request of that out_biz_no meets; later
 *   requests and queries answer from the stored order. Unscripted transfers succeed at once.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  answerText,
  beijingTime,
  bizContentOf,
  businessFailed,
  GatewayError,
  invalid,
  paramsOf,
  randomDigits,
  readBody,
  serviceUnavailable,
  verifySignedRequest,
  YUAN,
} from "./alipay-gateway.js";

export type AlipayTransferBehaviour =
  /** Paid at once: 10000 SUCCESS. */
  | { mode: "success" }
  /** A definitive 40004 refusal with this sub_code; the order is kept as FAIL (query answers FAIL). */
  | { mode: "fail"; subCode: string; subMsg?: string }
  /** Paid at once, but the answer hangs past the client's timeout (hangMs). */
  | { mode: "timeout-then-success" }
  /** HTTP 502 and nothing recorded; the next request proceeds normally. */
  | { mode: "5xx" }
  /** 20000 Service Currently Unavailable (signed) and nothing recorded. */
  | { mode: "system-error" }
  /** DEALING; SUCCESS (and paid) from the query number `queries` on (default 2). */
  | { mode: "processing-then-success"; queries?: number }
  /** Paid at once, but the answer is signed with a key that is not the Alipay key. */
  | { mode: "bad-signature" };

export type AlipayTransferStatus = "SUCCESS" | "DEALING" | "FAIL";

export interface AlipayFakeTransfer {
  outBizNo: string;
  transAmount: string;
  productCode: string;
  bizScene: string;
  orderTitle: string;
  remark: string;
  payee: { identity: string; identity_type: string; name: string };
  orderId: string;
  payFundOrderId: string | null;
  status: AlipayTransferStatus;
  errorCode: string | null;
  failReason: string | null;
  payDate: string | null;
  /** Queries left before a DEALING order succeeds. */
  queriesUntilSuccess: number;
  /** The biz_content exactly as received. */
  bizContent: string;
}

export interface AlipayFakePayment {
  outBizNo: string;
  transAmount: string;
  identity: string;
}

export interface AlipayTransferFakeRequest {
  method: string;
  outBizNo: string | null;
  code: string;
  subCode: string | null;
}

export interface AlipayTransferFakeConfig {
  ALIPAY_APP_ID: string;
  ALIPAY_PRIVATE_KEY: string;
  ALIPAY_PUBLIC_KEY: string;
  ALIPAY_GATEWAY: string;
}

export interface AlipayTransferFake {
  gateway: string;
  appId: string;
  appPrivateKeyPem: string;
  alipayPublicKeyPem: string;
  providerConfig: AlipayTransferFakeConfig;
  transfers: Map<string, AlipayFakeTransfer>;
  payments: AlipayFakePayment[];
  requests: AlipayTransferFakeRequest[];
  script(outBizNo: string, behaviour: AlipayTransferBehaviour): void;
  paymentsOf(outBizNo: string): number;
  close(): Promise<void>;
}

export interface AlipayTransferFakeOptions {
  /** How long a `timeout-then-success` answer hangs, default 2500 ms (urllib checks timeouts about once a second). */
  hangMs?: number;
  /** Allowed skew of the request `timestamp`, default 600 s. */
  maxClockSkewS?: number;
}

const TRANSFER = "alipay.fund.trans.uni.transfer";
const QUERY = "alipay.fund.trans.common.query";
const OUT_BIZ_NO = /^[0-9A-Za-z_-]{1,64}$/;
/** TRANS_ACCOUNT_NO_PWD: at least 0.1 yuan. */
const MIN_AMOUNT_FEN = 10;
const PAYEE_TYPES = new Set(["ALIPAY_LOGON_ID", "ALIPAY_USER_ID"]);

const textAt = (obj: Record<string, unknown>, key: string): string =>
  typeof obj[key] === "string" ? (obj[key] as string) : "";

function required(obj: Record<string, unknown>, key: string, max: number): string {
  const v = textAt(obj, key);
  if (!v) throw invalid("isv.missing-parameter", `缺少必选参数 ${key}`);
  if (Array.from(v).length > max) throw businessFailed("INVALID_PARAMETER", `${key} 超长`);
  return v;
}

function fenOfYuan(yuan: string): number {
  const [whole = "0", frac = ""] = yuan.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

/** The stored shape of a transfer request, validated like the documentation describes it. */
function transferOf(biz: Record<string, unknown>, raw: string): AlipayFakeTransfer {
  const outBizNo = required(biz, "out_biz_no", 64);
  if (!OUT_BIZ_NO.test(outBizNo)) throw businessFailed("INVALID_PARAMETER", "out_biz_no 格式错误");
  const transAmount = required(biz, "trans_amount", 16);
  if (!YUAN.test(transAmount) || fenOfYuan(transAmount) < MIN_AMOUNT_FEN)
    throw businessFailed("INVALID_PARAMETER", "trans_amount 须为不小于 0.1 的元金额,最多两位小数");
  const productCode = required(biz, "product_code", 64);
  if (productCode !== "TRANS_ACCOUNT_NO_PWD") throw businessFailed("INVALID_PARAMETER", "product_code 有误");
  const bizScene = required(biz, "biz_scene", 64);
  if (bizScene !== "DIRECT_TRANSFER") throw businessFailed("INVALID_PARAMETER", "biz_scene 有误");
  const payeeInfo = biz.payee_info;
  if (typeof payeeInfo !== "object" || payeeInfo === null)
    throw invalid("isv.missing-parameter", "缺少必选参数 payee_info");
  const payee = payeeInfo as Record<string, unknown>;
  const identityType = required(payee, "identity_type", 64);
  if (!PAYEE_TYPES.has(identityType)) throw businessFailed("INVALID_PARAMETER", "identity_type 有误");
  const name = textAt(payee, "name");
  if (identityType === "ALIPAY_LOGON_ID" && !name)
    throw businessFailed("INVALID_PARAMETER", "identity_type 为 ALIPAY_LOGON_ID 时 name 必填");
  return {
    outBizNo,
    transAmount,
    productCode,
    bizScene,
    orderTitle: required(biz, "order_title", 128),
    remark: textAt(biz, "remark"),
    payee: { identity: required(payee, "identity", 100), identity_type: identityType, name },
    orderId: `${beijingTime(new Date()).replace(/\D/g, "").slice(0, 8)}1100700${randomDigits(17)}`,
    payFundOrderId: null,
    status: "DEALING",
    errorCode: null,
    failReason: null,
    payDate: null,
    queriesUntilSuccess: 0,
    bizContent: raw,
  };
}

const sameRequest = (a: AlipayFakeTransfer, b: AlipayFakeTransfer) =>
  a.transAmount === b.transAmount &&
  a.payee.identity === b.payee.identity &&
  a.payee.identity_type === b.payee.identity_type &&
  a.payee.name === b.payee.name;

export async function startAlipayTransferFake(
  opts: AlipayTransferFakeOptions = {},
): Promise<AlipayTransferFake> {
  const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const impostor = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = `2021${randomDigits(12)}`;
  const hangMs = opts.hangMs ?? 2500;
  const rules = { appId, appPublicKey: app.publicKey, maxClockSkewS: opts.maxClockSkewS ?? 600 };
  const transfers = new Map<string, AlipayFakeTransfer>();
  const scripts = new Map<string, AlipayTransferBehaviour>();
  const payments: AlipayFakePayment[] = [];
  const requests: AlipayTransferFakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function pay(t: AlipayFakeTransfer): void {
    if (t.status === "SUCCESS") return;
    t.status = "SUCCESS";
    t.payFundOrderId = `${t.orderId.slice(0, 16)}15${randomDigits(14)}`;
    t.payDate = beijingTime(new Date());
    payments.push({ outBizNo: t.outBizNo, transAmount: t.transAmount, identity: t.payee.identity });
  }

  /** The outcome of a transfer request: the inner answer and the key to sign it with (null: HTTP 502). */
  type Outcome = { inner: Record<string, unknown>; key: KeyObject; hang: boolean } | null;

  function transferAnswer(t: AlipayFakeTransfer): Record<string, unknown> {
    if (t.status === "FAIL") throw businessFailed(t.errorCode ?? "", t.failReason ?? "");
    return {
      code: "10000",
      msg: "Success",
      out_biz_no: t.outBizNo,
      order_id: t.orderId,
      ...(t.payFundOrderId ? { pay_fund_order_id: t.payFundOrderId } : {}),
      status: t.status,
      trans_date: t.payDate ?? beijingTime(new Date()),
    };
  }

  function newTransfer(t: AlipayFakeTransfer): Outcome {
    const behaviour = scripts.get(t.outBizNo) ?? { mode: "success" };
    scripts.delete(t.outBizNo);
    if (behaviour.mode === "5xx") return null;
    if (behaviour.mode === "system-error") throw serviceUnavailable();
    transfers.set(t.outBizNo, t);
    if (behaviour.mode === "fail") {
      t.status = "FAIL";
      t.errorCode = behaviour.subCode;
      t.failReason = behaviour.subMsg ?? behaviour.subCode;
    } else if (behaviour.mode === "processing-then-success") {
      t.queriesUntilSuccess = behaviour.queries ?? 2;
    } else pay(t);
    const key = behaviour.mode === "bad-signature" ? impostor.privateKey : alipay.privateKey;
    return { inner: transferAnswer(t), key, hang: behaviour.mode === "timeout-then-success" };
  }

  function transfer(biz: Record<string, unknown>, raw: string): Outcome {
    const incoming = transferOf(biz, raw);
    const existing = transfers.get(incoming.outBizNo);
    if (!existing) return newTransfer(incoming);
    if (!sameRequest(existing, incoming))
      throw businessFailed("PAYMENT_INFO_INCONSISTENCY", "两次请求商户单号一样，但是参数不一致");
    return { inner: transferAnswer(existing), key: alipay.privateKey, hang: false };
  }

  function query(biz: Record<string, unknown>): Record<string, unknown> {
    const outBizNo = required(biz, "out_biz_no", 64);
    if (
      textAt(biz, "product_code") !== "TRANS_ACCOUNT_NO_PWD" ||
      textAt(biz, "biz_scene") !== "DIRECT_TRANSFER"
    )
      throw businessFailed("INVALID_PARAMETER", "传入 out_biz_no 时 product_code 与 biz_scene 必传");
    const t = transfers.get(outBizNo);
    if (!t) throw businessFailed("ORDER_NOT_EXIST", "转账订单不存在");
    if (t.status === "DEALING" && --t.queriesUntilSuccess <= 0) pay(t);
    return {
      code: "10000",
      msg: "Success",
      order_id: t.orderId,
      out_biz_no: t.outBizNo,
      status: t.status,
      ...(t.status === "SUCCESS"
        ? { pay_fund_order_id: t.payFundOrderId, trans_amount: t.transAmount, pay_date: t.payDate }
        : {}),
      ...(t.status === "FAIL" ? { error_code: t.errorCode, fail_reason: t.failReason } : {}),
    };
  }

  function call(params: Record<string, string>): Outcome {
    const method = params.method ?? "";
    if (method !== TRANSFER && method !== QUERY) throw invalid("isv.invalid-method", "不存在的方法名");
    verifySignedRequest(params, rules);
    const biz = bizContentOf(params);
    if (method === QUERY) return { inner: query(biz), key: alipay.privateKey, hang: false };
    return transfer(biz, params.biz_content ?? "");
  }

  /** The request's params and what to answer; a malformed request is answered like the gateway does. */
  function outcomeOf(url: URL, raw: string): { params: Record<string, string>; outcome: Outcome } {
    let params: Record<string, string> = {};
    try {
      params = paramsOf(new URLSearchParams(raw), paramsOf(url.searchParams));
      return { params, outcome: call(params) };
    } catch (err) {
      const e = err instanceof GatewayError ? err : invalid("isv.invalid-parameter", String(err));
      return { params, outcome: { inner: e.inner, key: alipay.privateKey, hang: false } };
    }
  }

  function record(params: Record<string, string>, outcome: Outcome): void {
    let outBizNo: string | null = null;
    try {
      outBizNo = textAt(bizContentOf(params), "out_biz_no") || null;
    } catch {}
    const subCode = outcome && typeof outcome.inner.sub_code === "string" ? outcome.inner.sub_code : null;
    const code = outcome ? String(outcome.inner.code) : "HTTP 502";
    requests.push({ method: params.method ?? "", outBizNo, code, subCode });
  }

  function hang(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, hangMs);
      timers.add(timer);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method !== "POST" || url.pathname !== "/gateway.do") {
      res.writeHead(404);
      return void res.end();
    }
    const { params, outcome } = outcomeOf(url, raw);
    record(params, outcome);
    if (!outcome) {
      res.writeHead(502, { "content-type": "text/html" });
      return void res.end("<html><body>502 Bad Gateway</body></html>");
    }
    if (outcome.hang) await hang();
    if (res.destroyed) return;
    res.writeHead(200, { "content-type": "text/html;charset=utf-8" });
    res.end(answerText(params.method ?? "", outcome.inner, outcome.key));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.destroyed) return;
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`;
  const appPrivateKeyPem = app.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const alipayPublicKeyPem = alipay.publicKey.export({ type: "spki", format: "pem" }).toString();

  return {
    gateway,
    appId,
    appPrivateKeyPem,
    alipayPublicKeyPem,
    providerConfig: {
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: appPrivateKeyPem,
      ALIPAY_PUBLIC_KEY: alipayPublicKeyPem,
      ALIPAY_GATEWAY: gateway,
    },
    transfers,
    payments,
    requests,
    script(outBizNo, behaviour) {
      scripts.set(outBizNo, behaviour);
    },
    paymentsOf: (outBizNo) => payments.filter((p) => p.outBizNo === outBizNo).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
