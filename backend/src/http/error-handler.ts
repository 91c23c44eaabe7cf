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

/**
 * Every error leaves as the SPEC envelope with a localized message; never a stack trace. The handler
 * sends and returns nothing (a returned reply would be sent again); only the idempotency lookup of a
 * failed retry is asynchronous, and it resolves once its answer has been sent.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw: unknown, request, reply) => {
    const locale = localeFrom(request.headers["accept-language"]);
    if (raw instanceof AlreadyAnsweredError) return void sendAnswer(reply, raw.answer);
    if (raw instanceof IdempotencyKeyReusedError) return void sendKeyReused(reply, locale);
    if (request.idempotency && isClientFailure(raw)) return answerOrError(raw, request, reply, locale);
    sendError(raw, request, reply, locale);
  });
}

function sendError(raw: unknown, request: FastifyRequest, reply: FastifyReply, locale: "zh-CN" | "en"): void {
  const err = raw as FastifyError;
  if (raw instanceof AppError) {
    send(reply, raw.status, raw.code, raw.messageFor(locale), raw.data);
  } else if (raw instanceof InsufficientBalanceError) {
    const code = raw.asset === "CREDIT" ? ErrorCode.INSUFFICIENT_CREDITS : ErrorCode.INSUFFICIENT_COINS;
    const data =
      raw.asset === "CREDIT"
        ? { current_balance: Number(raw.balance), required: Number(raw.required) }
        : { available: formatCoins(raw.balance), required: formatCoins(raw.required) };
    send(reply, 402, code, defaultMessage(code, locale), data);
  } else if (hasZodFastifySchemaValidationErrors(err)) {
    sendValidation(reply, locale, validationFields(err.validation, err.validationContext));
  } else if (isResponseSerializationError(err)) {
    request.log.error({ err, issues: err.cause.issues }, "response did not match its schema");
    send(reply, 500, ErrorCode.INTERNAL, defaultMessage(ErrorCode.INTERNAL, locale), null);
  } else if (err.code?.startsWith("FST_ERR_CTP") || err.code === "FST_ERR_VALIDATION") {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
    send(
      reply,
      status === 400 ? 422 : status,
      ErrorCode.VALIDATION,
      defaultMessage(ErrorCode.VALIDATION, locale),
      {
        fields: { body: err.message },
      },
    );
  } else if (err.statusCode === 404) {
    notFound(request, reply);
  } else {
    const failure = clientFailure(raw);
    if (failure) {
      const body = envelopeOf(failure, locale);
      send(reply, failure.status, body.code, body.message, body.data);
    } else {
      request.log.error({ err }, "unhandled error");
      send(reply, 500, ErrorCode.INTERNAL, defaultMessage(ErrorCode.INTERNAL, locale), null);
    }
  }
}

/**
 * A request with a key that failed before its transaction: the first answer if there is one (a retry
 * never sees a later state), 409/2007 if the key was used for another request, else its own error.
 */
async function answerOrError(
  raw: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  locale: "zh-CN" | "en",
): Promise<void> {
  try {
    const answer = await storedAnswerFor(request);
    if (answer) sendAnswer(reply, answer);
    else sendError(raw, request, reply, locale);
  } catch (lookupError) {
    if (!(lookupError instanceof IdempotencyKeyReusedError)) throw lookupError;
    sendKeyReused(reply, locale);
  }
  await reply;
}

function sendAnswer(reply: FastifyReply, answer: StoredAnswer) {
  return reply
    .code(answer.statusCode)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(answer.body));
}

function sendKeyReused(reply: FastifyReply, locale: "zh-CN" | "en") {
  const message =
    locale === "en" ? "Idempotency-Key was already used for a different request" : "该幂等键已用于其他请求";
  return send(reply, 409, ErrorCode.STATE_CONFLICT, message, { reason: "idempotency_key_reused" });
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
