/**
 * The Alipay OpenAPI v2 gateway wire format for local fakes, written from the documentation with node:crypto
 * only (deliberately not importing src/providers or alipay-sdk). Same rules as test/fakes/alipay.ts:
 * Facts: ../shared/integrations/payments-login-sms.md §2 and §6.
 *
 * - Request: params from the query string and/or the form body; RSA2 `sign` over the sorted params except
 *   `sign` (sign_type included), raw values, verified with the app public key; timestamps in Beijing time.
 * - Answer: `{"<method>_response":{…},"sign":"…"}`, sign = RSA2 over the exact inner JSON text (Alipay key).
 */
import { createSign, createVerify, type KeyObject, randomInt } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const BEIJING_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const YUAN = /^(0|[1-9]\d{0,7})(\.\d{1,2})?$/;

/** A gateway answer other than 10000: `code`/`msg` plus the business `sub_code`/`sub_msg`. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(`${code} ${subCode} ${subMsg}`);
  }

  get inner(): Record<string, unknown> {
    return { code: this.code, msg: this.msg, sub_code: this.subCode, sub_msg: this.subMsg };
  }
}

export const invalid = (subCode: string, subMsg: string) =>
  new GatewayError("40002", "Invalid Arguments", subCode, subMsg);
export const businessFailed = (subCode: string, subMsg: string) =>
  new GatewayError("40004", "Business Failed", subCode, subMsg);
export const serviceUnavailable = () =>
  new GatewayError("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙");

export const rsa2Sign = (content: string, key: KeyObject) =>
  createSign("RSA-SHA256").update(content, "utf8").sign(key, "base64");

export function rsa2Verify(content: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(key, signature, "base64");
  } catch {
    return false;
  }
}

/** k=v&… over the sorted keys, raw (decoded) values, leaving out the excluded keys. */
export function signContent(params: Record<string, string>, exclude: string[]): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

/** Adds the params of `search` to `into`; a repeated name is refused (which value was signed?). */
export function paramsOf(search: URLSearchParams, into: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of search) {
    if (Object.hasOwn(into, k)) throw invalid("isv.invalid-parameter", `参数 ${k} 重复`);
    into[k] = v;
  }
  return into;
}

export interface SignedRequestRules {
  appId: string;
  appPublicKey: KeyObject;
  maxClockSkewS: number;
}

/** The common checks of every API call: app id, RSA2, utf-8, version, fresh Beijing timestamp, signature. */
export function verifySignedRequest(params: Record<string, string>, rules: SignedRequestRules): void {
  if (params.app_id !== rules.appId) throw invalid("isv.invalid-app-id", "无效的AppID参数");
  if (params.sign_type !== "RSA2") throw invalid("isv.invalid-signature-type", "无效的签名类型");
  if ((params.charset ?? "").toLowerCase() !== "utf-8") throw invalid("isv.invalid-charset", "字符集错误");
  if (params.version !== "1.0") throw invalid("isv.invalid-parameter", "version 应为 1.0");
  if (!BEIJING_TIME.test(params.timestamp ?? "")) throw invalid("isv.invalid-timestamp", "非法的时间戳参数");
  if (!params.sign) throw invalid("isv.missing-signature", "缺少签名参数");
  const content = signContent(params, ["sign"]);
  if (!rsa2Verify(content, params.sign, rules.appPublicKey))
    throw invalid("isv.invalid-signature", `验签出错，网关生成的验签字符串为：${content}`);
  const skew = Math.abs(Date.now() - beijingMs(params.timestamp ?? "")) / 1000;
  if (!(skew <= rules.maxClockSkewS)) throw invalid("isv.invalid-timestamp", "非法的时间戳参数");
}

export function bizContentOf(params: Record<string, string>): Record<string, unknown> {
  try {
    const biz: unknown = JSON.parse(params.biz_content ?? "");
    if (typeof biz === "object" && biz !== null && !Array.isArray(biz)) return biz as Record<string, unknown>;
  } catch {}
  throw invalid("isv.invalid-parameter", "biz_content 不是JSON对象");
}

/** The answer body; `signingKey` null leaves out `sign` (a gateway that forgot to sign). */
export function answerText(
  method: string,
  inner: Record<string, unknown>,
  signingKey: KeyObject | null,
): string {
  const responseKey = `${(method || "error").replaceAll(".", "_")}_response`;
  const innerJson = JSON.stringify(inner);
  const signPart = signingKey ? `,"sign":${JSON.stringify(rsa2Sign(innerJson, signingKey))}` : "";
  return `{"${responseKey}":${innerJson}${signPart}}`;
}

export const beijingTime = (at: Date) =>
  new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
export const beijingMs = (text: string) => new Date(`${text.replace(" ", "T")}+08:00`).getTime();
export const randomDigits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join("");

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
