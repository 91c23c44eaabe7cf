import { createHash } from "node:crypto";
import { ErrorCode } from "@skyriff/contracts";
import { and, eq } from "drizzle-orm";
import type { Db, Executor, Tx } from "../db/client.js";
import { idempotencyKeys } from "../db/schema/index.js";
import { AppError } from "../lib/errors.js";

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  /** True when this is the stored first response of an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyScope {
  userId: string;
  key: string | undefined;
  route: string;
  request: unknown;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

class ConcurrentFirstRequest extends Error {}

/**
 * Runs a spend exactly once per (user, Idempotency-Key): the key and the first response are stored
 * in the same DB transaction as the spend, so a retry replays the response and moves nothing.
 */
export async function withIdempotency<T>(
  db: Db,
  scope: IdempotencyScope,
  action: (tx: Tx) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (scope.key === undefined) {
    const result = await db.transaction(action);
    return { ...result, replayed: false };
  }
  if (!KEY_PATTERN.test(scope.key)) {
    throw new AppError(ErrorCode.VALIDATION, {
      fields: { "Idempotency-Key": "8–128 of A-Z a-z 0-9 _ . : -" },
    });
  }
  const key = scope.key;
  const requestHash = hashRequest(scope.route, scope.request);
  const stored = await findStored<T>(db, scope.userId, key, requestHash);
  if (stored) return stored;
  try {
    const result = await db.transaction(async (tx) => {
      const outcome = await action(tx);
      const inserted = await tx
        .insert(idempotencyKeys)
        .values({
          userId: scope.userId,
          key,
          route: scope.route,
          requestHash,
          statusCode: outcome.statusCode,
          response: outcome.body as object,
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (inserted.length === 0) throw new ConcurrentFirstRequest();
      return outcome;
    });
    return { ...result, replayed: false };
  } catch (err) {
    if (!(err instanceof ConcurrentFirstRequest)) throw err;
    const first = await findStored<T>(db, scope.userId, key, requestHash);
    if (!first) throw err;
    return first;
  }
}

async function findStored<T>(
  ex: Executor,
  userId: string,
  key: string,
  requestHash: string,
): Promise<IdempotentResult<T> | null> {
  const rows = await ex
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  const row = rows[0];
  if (!row) return null;
  if (row.requestHash !== requestHash) {
    throw new AppError(ErrorCode.STATE_CONFLICT, null, {
      zh: "该幂等键已用于其他请求",
      en: "Idempotency-Key was already used for a different request",
    });
  }
  return { statusCode: row.statusCode, body: row.response as T, replayed: true };
}

function hashRequest(route: string, request: unknown): string {
  return createHash("sha256")
    .update(`${route}\n${JSON.stringify(request ?? null)}`)
    .digest("hex");
}
