import { createHash } from "node:crypto";
import type { Db, Executor, Tx } from "../db/client.js";
import { send, sendWithCommit, statement } from "../db/statements.js";

/** The answer a route gave to the first request with a key: replayed as is to every retry. */
export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

export interface IdempotencyScope {
  userId: string;
  key: string;
  /** A stable name of the operation, e.g. `tasks.create`. */
  route: string;
  /** Hash of what was asked (see requestHash): the same key with another request is refused. */
  requestHash: string;
}

/** What a route hands to a service so the service's transaction claims the key and stores the answer. */
export interface IdempotencyHandle<R> {
  scope: IdempotencyScope;
  /** The route's answer for the service's result; stored in the same transaction as the action. */
  respond(result: R): StoredAnswer;
}

/** The key was answered before (by a committed request): replay `answer`, do nothing else. */
export class AlreadyAnsweredError extends Error {
  constructor(readonly answer: StoredAnswer) {
    super("idempotency key already answered");
  }
}

/** The key was used before for a different request (other body, params or operation). */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
  }
}

const CLAIM = statement(
  "idempotency_claim",
  `insert into idempotency_keys (user_id, key, route, request_hash) values ($1, $2, $3, $4)
   on conflict do nothing returning key`,
);
const STORE = statement(
  "idempotency_store",
  `update idempotency_keys set status_code = $3, response = $4::jsonb
   where user_id = $1 and key = $2 and status_code is null`,
);
const FIND = statement(
  "idempotency_find",
  "select request_hash, status_code, response from idempotency_keys where user_id = $1 and key = $2",
);

/** The claim found the key taken by a request that committed: its answer is read after rolling back. */
class KeyTaken extends Error {}

/**
 * Runs `action` in one transaction that first claims the key: a concurrent duplicate blocks on the claim
 * until the first commits, then gets AlreadyAnsweredError with the first answer (or runs itself if the
 * first rolled back). The claim travels with the action's first statements; the route's answer is
 * stored with the commit, so a retry can never move money twice.
 */
export async function withIdempotency<R>(
  db: Db,
  handle: IdempotencyHandle<R> | undefined,
  action: (tx: Tx) => Promise<R>,
): Promise<R> {
  if (!handle) return db.transaction(action);
  const { scope } = handle;
  try {
    return await db.transaction(async (tx) => {
      const claimed = send(tx, CLAIM, [scope.userId, scope.key, scope.route, scope.requestHash]);
      const [claim, outcome] = await Promise.allSettled([claimed, action(tx)]);
      if (claim.status === "rejected") throw claim.reason;
      // Whatever the action met (a balance the first request spent, a limit it used up): the first answer.
      if (claim.value.length === 0) throw new KeyTaken();
      if (outcome.status === "rejected") throw outcome.reason;
      const answer = handle.respond(outcome.value);
      sendWithCommit(tx, STORE, [scope.userId, scope.key, answer.statusCode, JSON.stringify(answer.body)]);
      return outcome.value;
    });
  } catch (err) {
    if (!(err instanceof KeyTaken)) throw err;
    const answer = await findAnswer(db, scope);
    if (!answer) throw new Error(`idempotency key ${scope.key} taken but unanswered`);
    throw new AlreadyAnsweredError(answer);
  }
}

/** The stored answer for the scope's key, or null; throws IdempotencyKeyReusedError on a mismatch. */
export async function findAnswer(ex: Executor, scope: IdempotencyScope): Promise<StoredAnswer | null> {
  const [row] = await send<{ request_hash: string; status_code: number | null; response: unknown }>(
    ex,
    FIND,
    [scope.userId, scope.key],
  );
  if (!row || row.status_code === null) return null;
  if (row.request_hash !== scope.requestHash) throw new IdempotencyKeyReusedError(scope.key);
  return { statusCode: row.status_code, body: row.response };
}

/** sha256 of the operation and a canonical JSON of the request (object keys sorted at every depth). */
export function requestHash(route: string, request: unknown): string {
  return createHash("sha256")
    .update(`${route}\n${canonicalJson(request ?? null)}`)
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
