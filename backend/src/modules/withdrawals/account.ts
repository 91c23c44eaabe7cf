import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ErrorCode, type WithdrawalMethod } from "@skyriff/contracts";
import { AppError } from "../../lib/errors.js";

/** What the payout needs; sealed at rest, never logged, never in a response. */
export interface PayeeAccount {
  name: string;
  account: string;
  bankName: string | null;
  /** WeChat: the user's openid under our app id (商家转账 pays 零钱 by openid). */
  openid: string | null;
}

const VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit IV; the withdrawal id is the associated data, so a sealed account
 * cannot be moved onto another withdrawal row.
 */
export function sealAccount(key: Buffer, withdrawalId: string, account: PayeeAccount): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(withdrawalId));
  const body = Buffer.concat([cipher.update(JSON.stringify(account), "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

export function unsealAccount(key: Buffer, withdrawalId: string, sealed: string): PayeeAccount {
  const [version, payload] = sealed.split(".");
  if (version !== VERSION || !payload) throw new Error("unknown sealed account format");
  const raw = Buffer.from(payload, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(withdrawalId));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  return JSON.parse(plain) as PayeeAccount;
}

/** `张*`, `欧阳**`: the first character and a star for each of the rest (at least one). */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return `${chars[0] ?? ""}${"*".repeat(Math.max(1, chars.length - 1))}`;
}

/** `6222 **** **** 1234`, `138****0000`, `a***@example.com`. */
export function maskAccount(method: WithdrawalMethod, account: string): string {
  if (method === "bank_card") return `${account.slice(0, 4)} **** **** ${account.slice(-4)}`;
  const at = account.indexOf("@");
  if (at > 0) return `${account[0]}***${account.slice(at)}`;
  if (/^1\d{10}$/.test(account)) return `${account.slice(0, 3)}****${account.slice(-4)}`;
  if (account.length <= 4) return `${account[0] ?? ""}***`;
  return `${account.slice(0, 2)}****${account.slice(-2)}`;
}

const BANK_CARD = /^\d{12,19}$/;
const PHONE = /^1\d{10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NAME = /^[\p{Script=Han}A-Za-z·.\s]{2,40}$/u;

/** The account as the payout will use it (spaces out of card numbers), or 422 naming the field. */
export function normalizeAccount(
  method: WithdrawalMethod,
  input: { name: string; account: string; bank_name?: string | undefined },
): { name: string; account: string; bankName: string | null } {
  const name = input.name.trim();
  const account = method === "bank_card" ? input.account.replace(/[\s-]/g, "") : input.account.trim();
  const fields: Record<string, string> = {};
  if (!NAME.test(name)) fields["account_info.name"] = "real name, 2–40 letters";
  if (method === "bank_card" && !BANK_CARD.test(account))
    fields["account_info.account"] = "bank card number, 12–19 digits";
  if (method === "alipay" && !PHONE.test(account) && !EMAIL.test(account))
    fields["account_info.account"] = "Alipay account: mobile number or email";
  if (method === "bank_card" && !input.bank_name?.trim())
    fields["account_info.bank_name"] = "bank name required";
  if (Object.keys(fields).length) throw new AppError(ErrorCode.VALIDATION, { fields });
  return { name, account, bankName: method === "bank_card" ? (input.bank_name?.trim() ?? null) : null };
}
