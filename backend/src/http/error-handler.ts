import { ErrorCode } from "@skyriff/contracts";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import {
  AlreadyAnsweredError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  type StoredAnswer,
} from "../ledger/index.js";
import { AppError, defaultMessage, localeFrom } from "../lib/errors.js";
import { formatCoins } from "../lib/money.js";
import { clientFailure, envelopeOf } from "./client-errors.js";
import { storedAnswerFor } from "./idempotency.js";

/** Every error leaves as the SPEC envelope with a localized message; never a stack trace. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (raw: unknown, request, reply) => {
    const err = raw as FastifyError;
    const locale = localeFrom(request.headers["accept-language"]);
    const replayed = await idempotentAnswer(raw, request, reply, locale);
    if (replayed) return replayed;
    if (raw instanceof AppError) return send(reply, raw.status, raw.code, raw.messageFor(locale), raw.data);
    if (raw instanceof InsufficientBalanceError) {
      const e = raw;
      const code = e.asset === "CREDIT" ? ErrorCode.INSUFFICIENT_CREDITS : ErrorCode.INSUFFICIENT_COINS;
      const data =
        e.asset === "CREDIT"
          ? { current_balance: Number(e.balance), required: Number(e.required) }
          : { available: formatCoins(e.balance), required: formatCoins(e.required) };
      return send(reply, 402, code, defaultMessage(code, locale), data);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return sendValidation(reply, locale, validationFields(err.validation, err.validationContext));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, "response did not match its schema");
      return send(reply, 500, ErrorCode.INTERNAL, defaultMessage(ErrorCode.INTERNAL, locale), null);
    }
    if (err.code?.startsWith("FST_ERR_CTP") || err.code === "FST_ERR_VALIDATION") {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const fields = { body: err.message };
      return send(
        reply,
        status === 400 ? 422 : status,
        ErrorCode.VALIDATION,
        defaultMessage(ErrorCode.VALIDATION, locale),
        { fields },
      );
    }
    if (err.statusCode === 404) return notFound(request, reply);
    const failure = clientFailure(raw);
    if (failure) {
      const body = envelopeOf(failure, locale);
      return send(reply, failure.status, body.code, body.message, body.data);
    }
    request.log.error({ err }, "unhandled error");
    return send(reply, 500, ErrorCode.INTERNAL, defaultMessage(ErrorCode.INTERNAL, locale), null);
  });
}

/**
 * Idempotency outcomes: a key answered before replays its first answer, also when this retry failed
 * before reaching its transaction (validation, a resource gone since); a key reused for another request
 * is 409/2007.
 */
async function idempotentAnswer(
  raw: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  locale: "zh-CN" | "en",
): Promise<FastifyReply | null> {
  let answer: StoredAnswer | null = raw instanceof AlreadyAnsweredError ? raw.answer : null;
  let reused = raw instanceof IdempotencyKeyReusedError;
  if (!answer && !reused && request.idempotency && isClientFailure(raw)) {
    try {
      answer = await storedAnswerFor(request);
    } catch (lookupError) {
      if (!(lookupError instanceof IdempotencyKeyReusedError)) throw lookupError;
      reused = true;
    }
  }
  if (reused) {
    const message =
      locale === "en" ? "Idempotency-Key was already used for a different request" : "该幂等键已用于其他请求";
    return send(reply, 409, ErrorCode.STATE_CONFLICT, message, { reason: "idempotency_key_reused" });
  }
  if (!answer) return null;
  return reply
    .code(answer.statusCode)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(answer.body));
}

function isClientFailure(raw: unknown): boolean {
  if (raw instanceof AppError) return raw.status < 500;
  const err = raw as FastifyError;
  return hasZodFastifySchemaValidationErrors(err) || err.code === "FST_ERR_VALIDATION";
}

export function notFound(request: FastifyRequest, reply: FastifyReply) {
  const locale = localeFrom(request.headers["accept-language"]);
  return send(reply, 404, ErrorCode.NOT_FOUND, defaultMessage(ErrorCode.NOT_FOUND, locale), null);
}

function send(
  reply: FastifyReply,
  status: number,
  code: number,
  message: string,
  data: Record<string, unknown> | null,
) {
  // Plain JSON: a route's response schema must never strip fields from an error's `data`.
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify({ code, message, data }));
}

function sendValidation(reply: FastifyReply, locale: "zh-CN" | "en", fields: Record<string, string>) {
  return send(reply, 422, ErrorCode.VALIDATION, defaultMessage(ErrorCode.VALIDATION, locale), { fields });
}

function validationFields(
  errors: { keyword: string; instancePath: string; message?: string; params: Record<string, unknown> }[],
  context: string | undefined,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const e of errors) {
    const base = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
    const keys = e.params.keys;
    if (e.keyword === "unrecognized_keys" && Array.isArray(keys)) {
      for (const key of keys) fields[base ? `${base}.${String(key)}` : String(key)] = "unknown field";
      continue;
    }
    fields[base || context || "body"] = e.message ?? "invalid";
  }
  return fields;
}
