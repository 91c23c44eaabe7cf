import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { ErrorCode } from "@skyriff/contracts";
import type { Tx } from "../../db/client.js";
import { lockKey } from "../../db/locks.js";
import { AppError } from "../../lib/errors.js";
import { nextShanghaiDayStart, shanghaiDayStart } from "../../lib/time.js";
import * as repo from "./repository.js";

export const CODE_TTL_SECONDS = 300;
export const RESEND_AFTER_SECONDS = 60;
const MAX_WRONG_TRIES = 5;
const PER_PHONE_PER_HOUR = 5;
const PER_PHONE_PER_DAY = 10;
const PER_IP_PER_HOUR = 20;
const HOUR_MS = 3600_000;

/** `^1[3-9]\d{9}$`, also accepting a +86 / 86 prefix and spaces or dashes. */
export function normalizePhone(raw: string): string {
  const compact = raw.replace(/[\s-]/g, "");
  const m = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(compact);
  if (!m?.[1]) {
    throw new AppError(
      ErrorCode.INVALID_PHONE_OR_CODE,
      { field: "phone" },
      { zh: "手机号格式不正确", en: "Invalid phone number" },
    );
  }
  return m[1];
}

export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

export function hashCode(secret: string, phone: string, code: string): string {
  return createHmac("sha256", secret).update(`${phone}:${code}`).digest("hex");
}

const rateLimited = (retryAfterMs: number) =>
  new AppError(ErrorCode.SMS_RATE_LIMITED, { retry_after: Math.max(1, Math.ceil(retryAfterMs / 1000)) });

/** SPEC §2 limits: 1 per 60 s, 5 per hour, 10 per Shanghai day per phone; 20 per hour per IP. */
export async function assertMaySend(tx: Tx, phone: string, ip: string, now: Date): Promise<void> {
  await lockKey(tx, `sms:phone:${phone}`);
  await lockKey(tx, `sms:ip:${ip}`);
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const stats = await repo.sendStats(tx, phone, ip, hourAgo, shanghaiDayStart(now));
  const t = now.getTime();
  if (stats.lastSentAt && t - stats.lastSentAt.getTime() < RESEND_AFTER_SECONDS * 1000) {
    throw rateLimited(stats.lastSentAt.getTime() + RESEND_AFTER_SECONDS * 1000 - t);
  }
  if (stats.phoneSinceDayStart >= PER_PHONE_PER_DAY)
    throw rateLimited(nextShanghaiDayStart(now).getTime() - t);
  const oldestPhone = stats.phoneSinceHour[stats.phoneSinceHour.length - PER_PHONE_PER_HOUR];
  if (stats.phoneSinceHour.length >= PER_PHONE_PER_HOUR && oldestPhone) {
    throw rateLimited(oldestPhone.getTime() + HOUR_MS - t);
  }
  const oldestIp = stats.ipSinceHour[stats.ipSinceHour.length - PER_IP_PER_HOUR];
  if (stats.ipSinceHour.length >= PER_IP_PER_HOUR && oldestIp)
    throw rateLimited(oldestIp.getTime() + HOUR_MS - t);
}

export type CodeCheck = { ok: true } | { ok: false; error: AppError };

/**
 * Checks and consumes the phone's live code. Wrong tries are counted even though the request fails,
 * so the caller commits the transaction and throws `error` afterwards.
 */
export async function checkCode(
  tx: Tx,
  secret: string,
  phone: string,
  code: string,
  now: Date,
): Promise<CodeCheck> {
  await lockKey(tx, `sms:phone:${phone}`);
  const row = await repo.latestCode(tx, phone);
  const dead = !row || row.consumedAt !== null || row.expiresAt <= now || row.attempts >= MAX_WRONG_TRIES;
  if (dead) return { ok: false, error: new AppError(ErrorCode.CODE_EXPIRED) };
  const expected = Buffer.from(row.codeHash, "hex");
  const given = Buffer.from(hashCode(secret, phone, code.trim()), "hex");
  if (!timingSafeEqual(expected, given)) {
    const attempts = await repo.recordWrongAttempt(tx, row.id);
    return {
      ok: false,
      error: new AppError(ErrorCode.INVALID_PHONE_OR_CODE, {
        attempts_left: Math.max(0, MAX_WRONG_TRIES - attempts),
      }),
    };
  }
  const consumed = await repo.consumeCode(tx, row.id, now);
  return consumed ? { ok: true } : { ok: false, error: new AppError(ErrorCode.CODE_EXPIRED) };
}
