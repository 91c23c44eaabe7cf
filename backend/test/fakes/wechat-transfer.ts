/**
 * Local fake of WeChat Pay 商家转账 (upgraded 2025 API), written from the documentation with node:crypto only
 * (deliberately not importing src/providers: it checks our code independently, like ./wechatpay.ts).
 * Facts: ../shared/integrations/payments-login-sms.md §1.1, §1.4, §1.7 and §6.
 *
 * - Every request's `Authorization: WECHATPAY2-SHA256-RSA2048 …` is verified with the merchant public key
 *   (±5 min, nonce not reused, our mchid and serial) → else 401 SIGN_ERROR. Every answer is signed with the
 *   platform key (`Wechatpay-*` headers over TS\nNONCE\nBODY\n).
 * - POST /v3/fund-app/mch-transfer/transfer-bills: user_name is RSA-OAEP (SHA-1) decrypted with the platform
 *   private key and requires `Wechatpay-Serial` naming that key; required from 200000 fen.
 *   GET …/transfer-bills/out-bill-no/{no}: the bill, or 404 NOT_FOUND.
 * - Bills are kept by out_bill_no: the same request again answers the same bill and never pays twice
 *   (`payments` counts every payment). `script(outBillNo, behaviour)` decides what the FIRST request for
 *   that bill meets; unscripted bills are paid at once (SUCCESS, as with 免确认收款).
 */
import {
  constants,
  createSign,
  createVerify,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  randomBytes,
  randomInt,
  randomUUID,
} from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type WechatTransferBehaviour =
  /** SUCCESS at once. */
  | { mode: "success" }
  /** The bill is created in FAIL with this fail_reason (e.g. NAME_NOT_CORRECT). */
  | { mode: "fail"; code: string }
  /** Paid at once, but the answer hangs past the client's timeout (hangMs). */
  | { mode: "timeout-then-success" }
  /** 500 SYSTEM_ERROR and nothing recorded; the next request proceeds normally. */
  | { mode: "5xx" }
  /** WAIT_USER_CONFIRM (or `state`); SUCCESS (and paid) from the query number `queries` on (default 2). */
  | {
      mode: "processing-then-success";
      state?: "ACCEPTED" | "PROCESSING" | "WAIT_USER_CONFIRM" | "TRANSFERING";
      queries?: number;
    }
  /** Paid at once, but the answer is signed with a key that is not the platform key. */
  | { mode: "bad-signature" };

export interface WechatFakeBill {
  outBillNo: string;
  transferBillNo: string;
  appid: string;
  openid: string;
  transferSceneId: string;
  transferAmount: number;
  transferRemark: string;
  /** user_name decrypted, or null when not sent. */
  userName: string | null;
  reportInfos: { info_type: string; info_content: string }[];
  state: string;
  failReason: string | null;
  createTime: string;
  updateTime: string;
  queriesUntilSuccess: number;
  /** The request body exactly as received. */
  requestBody: string;
}

export interface WechatFakePayment {
  outBillNo: string;
  openid: string;
  amountFen: number;
}

export interface WechatTransferFakeRequest {
  method: string;
  path: string;
  status: number;
  code: string | null;
  /** The Wechatpay-Serial request header, if any. */
  serial: string | null;
}

export interface WechatTransferFakeConfig {
  WECHATPAY_BASE_URL: string;
  WECHATPAY_MCH_ID: string;
  WECHATPAY_APP_ID: string;
  WECHATPAY_MCH_SERIAL_NO: string;
  WECHATPAY_PRIVATE_KEY: string;
  WECHATPAY_PLATFORM_PUBLIC_KEY: string;
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: string;
}

export interface WechatTransferFake {
  baseUrl: string;
  mchId: string;
  appId: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  platformPublicKeyId: string;
  platformPublicKeyPem: string;
  transferSceneId: string;
  providerConfig: WechatTransferFakeConfig;
  bills: Map<string, WechatFakeBill>;
  payments: WechatFakePayment[];
  requests: WechatTransferFakeRequest[];
  script(outBillNo: string, behaviour: WechatTransferBehaviour): void;
  paymentsOf(outBillNo: string): number;
  close(): Promise<void>;
}

export interface WechatTransferFakeOptions {
  /** How long a `timeout-then-success` answer hangs, default 1500 ms. */
  hangMs?: number;
  /** The scene the merchant applied for, default 1005 (佣金报酬). */
  transferSceneId?: string;
}

const SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048";
const TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills";
const OUT_BILL_NO = /^[0-9A-Za-z]{1,32}$/;
const USER_NAME_FROM_FEN = 200_000;
/** The report infos each scene requires (info_type values, all of them). */
const SCENE_REPORT_TYPES: Record<string, string[]> = {
  "1000": ["活动名称", "奖励说明"],
  "1005": ["岗位类型", "报酬说明"],
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
const randomDigits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join("");
const beijingRfc3339 = (at: Date): string =>
  `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

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

function parseAuthorization(value: string | undefined): Record<string, string> | null {
  if (!value?.startsWith(`${SIGNATURE_TYPE} `)) return null;
  const items: Record<string, string> = {};
  for (const m of value.slice(SIGNATURE_TYPE.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] && m[2] !== undefined) items[m[1]] = m[2];
  }
  const needed = ["mchid", "nonce_str", "signature", "timestamp", "serial_no"];
  return needed.every((k) => items[k]) ? items : null;
}

function stringAt(obj: Record<string, unknown>, key: string, max: number): string {
  const v = obj[key];
  if (typeof v !== "string" || v.length === 0)
    throw new ApiError(
      400,
      "PARAM_ERROR",
      `输入源"/body/${key}"映射到值字段"${key}"必填性规则校验失败，此字段为必填项`,
    );
  if (Array.from(v).length > max) throw new ApiError(400, "PARAM_ERROR", `${key} 超过 ${max} 个字符`);
  return v;
}

function reportInfosAt(body: Record<string, unknown>, sceneId: string): WechatFakeBill["reportInfos"] {
  const infos = body.transfer_scene_report_infos;
  const wanted = SCENE_REPORT_TYPES[sceneId] ?? [];
  const list = Array.isArray(infos) ? (infos as Record<string, unknown>[]) : [];
  const parsed = list.map((i) => ({
    info_type: stringAt(i, "info_type", 15),
    info_content: stringAt(i, "info_content", 32),
  }));
  const types = parsed.map((i) => i.info_type).sort();
  if (wanted.length && JSON.stringify(types) !== JSON.stringify([...wanted].sort()))
    throw new ApiError(400, "PARAM_ERROR", "未传入完整且对应的转账场景报备信息,请根据接口文档检查");
  return parsed;
}

export async function startWechatTransferFake(
  opts: WechatTransferFakeOptions = {},
): Promise<WechatTransferFake> {
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const impostor = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const mchId = `19${randomDigits(8)}`;
  const appId = `wx${randomBytes(8).toString("hex")}`;
  const merchantSerialNo = randomBytes(20).toString("hex").toUpperCase();
  const platformPublicKeyId = `PUB_KEY_ID_TEST${randomDigits(24)}`;
  const transferSceneId = opts.transferSceneId ?? "1005";
  const hangMs = opts.hangMs ?? 1500;
  const bills = new Map<string, WechatFakeBill>();
  const scripts = new Map<string, WechatTransferBehaviour>();
  const payments: WechatFakePayment[] = [];
  const requests: WechatTransferFakeRequest[] = [];
  const seenNonces = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();

  function signedHeaders(body: string, key: KeyObject): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString("hex");
    return {
      "Wechatpay-Timestamp": timestamp,
      "Wechatpay-Nonce": nonce,
      "Wechatpay-Serial": platformPublicKeyId,
      "Wechatpay-Signature": sign(lines(timestamp, nonce, body), key),
      "Wechatpay-Signature-Type": SIGNATURE_TYPE,
    };
  }

  function authenticate(req: IncomingMessage, method: string, path: string, body: string): void {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) throw new ApiError(401, "SIGN_ERROR", "Http头Authorization值格式错误");
    if (auth.mchid !== mchId) throw new ApiError(401, "SIGN_ERROR", `商户号 ${auth.mchid} 与签名不匹配`);
    if (auth.serial_no !== merchantSerialNo) throw new ApiError(401, "SIGN_ERROR", "商户证书序列号有误");
    const ts = Number(auth.timestamp);
    if (!/^\d{10}$/.test(auth.timestamp ?? "") || Math.abs(Date.now() / 1000 - ts) > 300)
      throw new ApiError(401, "SIGN_ERROR", "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟");
    const message = lines(method, path, auth.timestamp ?? "", auth.nonce_str ?? "", body);
    if (!verify(message, auth.signature ?? "", merchant.publicKey))
      throw new ApiError(401, "SIGN_ERROR", "签名错误，请检查后再试");
    const nonceKey = `${auth.timestamp}:${auth.nonce_str}`;
    if (seenNonces.has(nonceKey)) throw new ApiError(401, "SIGN_ERROR", "nonce_str 重复");
    seenNonces.add(nonceKey);
  }

  function decryptUserName(cipher: string, serial: string | undefined): string {
    if (serial !== platformPublicKeyId)
      throw new ApiError(
        400,
        "PARAM_ERROR",
        "请求头 Wechatpay-Serial 须为加密 user_name 所用的微信支付公钥ID",
      );
    try {
      return privateDecrypt(
        { key: platform.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
        Buffer.from(cipher, "base64"),
      ).toString("utf8");
    } catch {
      throw new ApiError(400, "PARAM_ERROR", "user_name 解密失败");
    }
  }

  function billOf(req: IncomingMessage, raw: string): WechatFakeBill {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new ApiError(400, "PARAM_ERROR", "请求体不是合法的JSON");
    }
    if (stringAt(body, "appid", 32) !== appId) throw new ApiError(400, "INVALID_REQUEST", "APPID不存在");
    const outBillNo = stringAt(body, "out_bill_no", 32);
    if (!OUT_BILL_NO.test(outBillNo))
      throw new ApiError(400, "PARAM_ERROR", "out_bill_no 只能由数字、大小写字母组成");
    const sceneId = stringAt(body, "transfer_scene_id", 36);
    if (sceneId !== transferSceneId) throw new ApiError(400, "INVALID_REQUEST", "你尚未获取该转账场景");
    const amount = body.transfer_amount;
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
      throw new ApiError(400, "PARAM_ERROR", "transfer_amount 必须为正整数(单位:分)");
    const cipher = body.user_name;
    if (cipher === undefined && amount >= USER_NAME_FROM_FEN)
      throw new ApiError(400, "PARAM_ERROR", "转账金额 >= 2000 元时 user_name 必填");
    const serial = req.headers["wechatpay-serial"];
    const userName =
      typeof cipher === "string"
        ? decryptUserName(cipher, typeof serial === "string" ? serial : undefined)
        : null;
    const now = beijingRfc3339(new Date());
    return {
      outBillNo,
      transferBillNo: `1330000${randomDigits(33)}`,
      appid: appId,
      openid: stringAt(body, "openid", 64),
      transferSceneId: sceneId,
      transferAmount: amount,
      transferRemark: stringAt(body, "transfer_remark", 32),
      userName,
      reportInfos: reportInfosAt(body, sceneId),
      state: "ACCEPTED",
      failReason: null,
      createTime: now,
      updateTime: now,
      queriesUntilSuccess: 0,
      requestBody: raw,
    };
  }

  function pay(bill: WechatFakeBill): void {
    if (bill.state === "SUCCESS") return;
    bill.state = "SUCCESS";
    bill.updateTime = beijingRfc3339(new Date());
    payments.push({ outBillNo: bill.outBillNo, openid: bill.openid, amountFen: bill.transferAmount });
  }

  const createAnswer = (b: WechatFakeBill) => ({
    out_bill_no: b.outBillNo,
    transfer_bill_no: b.transferBillNo,
    create_time: b.createTime,
    state: b.state,
    ...(b.failReason ? { fail_reason: b.failReason } : {}),
    ...(b.state === "WAIT_USER_CONFIRM" ? { package_info: `affffddafdfafddffda==${b.transferBillNo}` } : {}),
  });

  const queryAnswer = (b: WechatFakeBill) => ({
    mch_id: mchId,
    out_bill_no: b.outBillNo,
    transfer_bill_no: b.transferBillNo,
    appid: b.appid,
    state: b.state,
    transfer_amount: b.transferAmount,
    transfer_remark: b.transferRemark,
    ...(b.failReason ? { fail_reason: b.failReason } : {}),
    openid: b.openid,
    create_time: b.createTime,
    update_time: b.updateTime,
  });

  interface Outcome {
    status: number;
    payload: unknown;
    key: KeyObject;
    hang: boolean;
  }
  const plain = (status: number, payload: unknown): Outcome => ({
    status,
    payload,
    key: platform.privateKey,
    hang: false,
  });

  function newBill(bill: WechatFakeBill): Outcome {
    const behaviour = scripts.get(bill.outBillNo) ?? { mode: "success" };
    scripts.delete(bill.outBillNo);
    if (behaviour.mode === "5xx") throw new ApiError(500, "SYSTEM_ERROR", "系统错误");
    bills.set(bill.outBillNo, bill);
    if (behaviour.mode === "fail") {
      bill.state = "FAIL";
      bill.failReason = behaviour.code;
    } else if (behaviour.mode === "processing-then-success") {
      bill.state = behaviour.state ?? "WAIT_USER_CONFIRM";
      bill.queriesUntilSuccess = behaviour.queries ?? 2;
    } else pay(bill);
    const key = behaviour.mode === "bad-signature" ? impostor.privateKey : platform.privateKey;
    return { status: 200, payload: createAnswer(bill), key, hang: behaviour.mode === "timeout-then-success" };
  }

  function transfer(req: IncomingMessage, raw: string): Outcome {
    const incoming = billOf(req, raw);
    const existing = bills.get(incoming.outBillNo);
    if (!existing) return newBill(incoming);
    const same =
      existing.openid === incoming.openid &&
      existing.transferAmount === incoming.transferAmount &&
      existing.userName === incoming.userName;
    if (!same) throw new ApiError(400, "INVALID_REQUEST", "商户单号重复，且请求参数与原单不一致");
    return plain(200, createAnswer(existing));
  }

  function query(outBillNo: string): Outcome {
    const bill = bills.get(outBillNo);
    if (!bill) throw new ApiError(404, "NOT_FOUND", "记录不存在");
    if (bill.queriesUntilSuccess > 0 && --bill.queriesUntilSuccess === 0) pay(bill);
    return plain(200, queryAnswer(bill));
  }

  function route(req: IncomingMessage, method: string, path: string, raw: string): Outcome {
    authenticate(req, method, path, raw);
    const url = new URL(path, "http://fake");
    if (method === "POST" && url.pathname === TRANSFER_PATH) return transfer(req, raw);
    const queried = new RegExp(`^${TRANSFER_PATH}/out-bill-no/([^/]+)$`).exec(url.pathname)?.[1];
    if (method === "GET" && queried) return query(decodeURIComponent(queried));
    throw new ApiError(404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
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
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    let outcome: Outcome;
    try {
      if (!String(req.headers.accept ?? "").includes("application/json"))
        throw new ApiError(400, "PARAM_ERROR", "Accept 必须为 application/json");
      outcome = route(req, method, path, raw);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(400, "PARAM_ERROR", String(err));
      outcome = plain(e.status, { code: e.code, message: e.message });
    }
    const code = outcome.status >= 300 ? ((outcome.payload as { code?: string }).code ?? null) : null;
    const serial = req.headers["wechatpay-serial"];
    requests.push({
      method,
      path,
      status: outcome.status,
      code,
      serial: typeof serial === "string" ? serial : null,
    });
    if (outcome.hang) await hang();
    if (res.destroyed) return;
    const body = JSON.stringify(outcome.payload);
    res.writeHead(outcome.status, {
      "Content-Type": "application/json; charset=utf-8",
      "Request-ID": randomUUID(),
      ...signedHeaders(body, outcome.key),
    });
    res.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.destroyed) return;
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const merchantPrivateKeyPem = merchant.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const platformPublicKeyPem = platform.publicKey.export({ type: "spki", format: "pem" }).toString();

  return {
    baseUrl,
    mchId,
    appId,
    merchantSerialNo,
    merchantPrivateKeyPem,
    platformPublicKeyId,
    platformPublicKeyPem,
    transferSceneId,
    providerConfig: {
      WECHATPAY_BASE_URL: baseUrl,
      WECHATPAY_MCH_ID: mchId,
      WECHATPAY_APP_ID: appId,
      WECHATPAY_MCH_SERIAL_NO: merchantSerialNo,
      WECHATPAY_PRIVATE_KEY: merchantPrivateKeyPem,
      WECHATPAY_PLATFORM_PUBLIC_KEY: platformPublicKeyPem,
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: platformPublicKeyId,
    },
    bills,
    payments,
    requests,
    script(outBillNo, behaviour) {
      scripts.set(outBillNo, behaviour);
    },
    paymentsOf: (outBillNo) => payments.filter((p) => p.outBillNo === outBillNo).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
