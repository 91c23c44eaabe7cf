import { ErrorCode } from "@skyriff/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../db/client.js";
import {
  findAnswer,
  type IdempotencyHandle,
  type IdempotencyScope,
  requestHash,
  type StoredAnswer,
} from "../ledger/index.js";
import { AppError } from "../lib/errors.js";
import { ok } from "./envelope.js";

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

interface RequestIdempotency {
  scope: IdempotencyScope;
  /** The stored first answer, if any (used when this request fails before its transaction). */
  lookup(): Promise<StoredAnswer | null>;
}

declare module "fastify" {
  interface FastifyRequest {
    idempotency: RequestIdempotency | null;
  }
}

/**
 * preValidation hook of a route that spends or grants: reads `Idempotency-Key` and fingerprints the raw
 * request (params + body, before validation). Runs after the auth guard; `userOf` names the key's owner.
 */
export function idempotencyKey(
  db: Db,
  route: string,
  userOf: (req: FastifyRequest) => string | undefined = (req) => req.auth?.userId,
) {
  return async (req: FastifyRequest): Promise<void> => {
    const key = req.headers["idempotency-key"];
    if (key === undefined) return;
    const userId = userOf(req);
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
      throw new AppError(ErrorCode.VALIDATION, {
        fields: { "Idempotency-Key": "8–128 of A-Z a-z 0-9 _ . : -" },
      });
    }
    if (!userId) return;
    const scope = {
      userId,
      key,
      route,
      requestHash: requestHash(route, { params: req.params ?? null, body: req.body ?? null }),
    };
    req.idempotency = { scope, lookup: () => findAnswer(db, scope) };
  };
}

const okAnswer = (data: unknown): StoredAnswer => ({ statusCode: 200, body: ok(data) });

/**
 * Runs a service call with the request's key (if any) and sends the answer. The service's transaction
 * claims the key and stores exactly what is sent here, so every retry receives the same bytes.
 */
export async function sendIdempotent<R>(
  req: FastifyRequest,
  reply: FastifyReply,
  run: (handle: IdempotencyHandle<R> | undefined) => Promise<R>,
  respond: (result: R) => StoredAnswer = okAnswer,
) {
  const scope = req.idempotency?.scope;
  const result = await run(scope ? { scope, respond } : undefined);
  const answer = respond(result);
  return reply.code(answer.statusCode).send(answer.body);
}

/**
 * A request with a key that failed before its transaction ran (validation, a video deleted since, a
 * model switched off) replays the first answer when there is one: a retry never sees a later state.
 */
export async function storedAnswerFor(req: FastifyRequest): Promise<StoredAnswer | null> {
  return req.idempotency ? req.idempotency.lookup() : null;
}
