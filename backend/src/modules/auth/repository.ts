import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import {
  devSmsOutbox,
  oauthStates,
  refreshTokens,
  sessions,
  smsCodes,
  users,
} from "../../db/schema/index.js";

export interface SendStats {
  lastSentAt: Date | null;
  phoneSinceHour: Date[];
  phoneSinceDayStart: number;
  ipSinceHour: Date[];
}

export async function sendStats(
  ex: Executor,
  phone: string,
  ip: string,
  hourAgo: Date,
  dayStart: Date,
): Promise<SendStats> {
  const since = hourAgo < dayStart ? hourAgo : dayStart;
  const byPhone = await ex
    .select({ createdAt: smsCodes.createdAt })
    .from(smsCodes)
    .where(and(eq(smsCodes.phone, phone), gt(smsCodes.createdAt, since)))
    .orderBy(desc(smsCodes.createdAt));
  const byIp = await ex
    .select({ createdAt: smsCodes.createdAt })
    .from(smsCodes)
    .where(and(eq(smsCodes.ip, ip), gt(smsCodes.createdAt, hourAgo)))
    .orderBy(smsCodes.createdAt);
  const last = await ex
    .select({ createdAt: smsCodes.createdAt })
    .from(smsCodes)
    .where(eq(smsCodes.phone, phone))
    .orderBy(desc(smsCodes.createdAt))
    .limit(1);
  return {
    lastSentAt: last[0]?.createdAt ?? null,
    phoneSinceHour: byPhone
      .map((r) => r.createdAt)
      .filter((d) => d > hourAgo)
      .reverse(),
    phoneSinceDayStart: byPhone.filter((r) => r.createdAt >= dayStart).length,
    ipSinceHour: byIp.map((r) => r.createdAt),
  };
}

/** A new code replaces any earlier live one for the phone. */
export async function retireLiveCodes(ex: Executor, phone: string, at: Date): Promise<void> {
  await ex
    .update(smsCodes)
    .set({ consumedAt: at })
    .where(and(eq(smsCodes.phone, phone), isNull(smsCodes.consumedAt)));
}

export async function insertCode(ex: Executor, row: typeof smsCodes.$inferInsert): Promise<void> {
  await ex.insert(smsCodes).values(row);
}

export async function latestCode(ex: Executor, phone: string) {
  const rows = await ex
    .select()
    .from(smsCodes)
    .where(eq(smsCodes.phone, phone))
    .orderBy(desc(smsCodes.createdAt))
    .limit(1);
  return rows[0] ?? null;
}

export async function recordWrongAttempt(ex: Executor, id: string): Promise<number> {
  const rows = await ex
    .update(smsCodes)
    .set({ attempts: sql`${smsCodes.attempts} + 1` })
    .where(eq(smsCodes.id, id))
    .returning({ attempts: smsCodes.attempts });
  return rows[0]?.attempts ?? 0;
}

export async function consumeCode(ex: Executor, id: string, at: Date): Promise<boolean> {
  const rows = await ex
    .update(smsCodes)
    .set({ consumedAt: at })
    .where(and(eq(smsCodes.id, id), isNull(smsCodes.consumedAt)))
    .returning({ id: smsCodes.id });
  return rows.length === 1;
}

export async function insertDevSms(ex: Executor, row: typeof devSmsOutbox.$inferInsert): Promise<void> {
  await ex.insert(devSmsOutbox).values(row);
}

export async function listDevSms(ex: Executor, phone: string) {
  return ex
    .select()
    .from(devSmsOutbox)
    .where(eq(devSmsOutbox.phone, phone))
    .orderBy(desc(devSmsOutbox.createdAt))
    .limit(20);
}

export async function insertSession(ex: Executor, row: typeof sessions.$inferInsert): Promise<void> {
  await ex.insert(sessions).values(row);
}

export async function extendSession(ex: Executor, id: string, expiresAt: Date): Promise<void> {
  await ex.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
}

export async function insertRefreshToken(
  ex: Executor,
  row: typeof refreshTokens.$inferInsert,
): Promise<void> {
  await ex.insert(refreshTokens).values(row);
}

export async function findRefreshToken(ex: Executor, tokenHash: string) {
  const rows = await ex
    .select({ token: refreshTokens, session: sessions })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return rows[0] ?? null;
}

/** Marks a refresh token used; false when another request already rotated it. */
export async function useRefreshToken(ex: Executor, id: string, at: Date): Promise<boolean> {
  const rows = await ex
    .update(refreshTokens)
    .set({ usedAt: at })
    .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length === 1;
}

export async function recordSuccessor(ex: Executor, id: string, successorSealed: string): Promise<void> {
  await ex.update(refreshTokens).set({ successorSealed }).where(eq(refreshTokens.id, id));
}

export async function revokeSession(ex: Executor, id: string, reason: string, at: Date): Promise<void> {
  await ex
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

/** Ends every live session of a user (an account closure); returns their ids to forget in caches. */
export async function revokeUserSessions(ex: Executor, userId: string, reason: string, at: Date) {
  const rows = await ex
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export interface SessionState {
  revoked: boolean;
  expiresAt: Date;
  userStatus: "active" | "banned" | "deleted";
}

export async function sessionState(
  ex: Executor,
  sessionId: string,
  userId: string,
): Promise<SessionState | null> {
  const rows = await ex
    .select({ revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, status: users.status })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
  const row = rows[0];
  if (!row) return null;
  return { revoked: row.revokedAt !== null, expiresAt: row.expiresAt, userStatus: row.status };
}

export async function insertOauthState(ex: Executor, row: typeof oauthStates.$inferInsert): Promise<void> {
  await ex.insert(oauthStates).values(row);
}

/** Single use: returns the state row only for the first caller and only before it expires. */
export async function consumeOauthState(ex: Executor, state: string, at: Date) {
  const rows = await ex
    .update(oauthStates)
    .set({ consumedAt: at })
    .where(and(eq(oauthStates.state, state), isNull(oauthStates.consumedAt), gt(oauthStates.expiresAt, at)))
    .returning();
  return rows[0] ?? null;
}

export async function sessionOwner(ex: Executor, sessionId: string): Promise<string | null> {
  const rows = await ex.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, sessionId));
  return rows[0]?.userId ?? null;
}
