/**
 * Errors that never reach a route, answered in the SPEC envelope all the same:
 *
 * - `frameworkErrors` (Fastify option): a URL that does not decode (`/api/v1/%E0%A4%A`) → 400/4220,
 *   a path parameter over the router's limit → 414/4220;
 * - `clientErrorHandler` (Fastify option, raw socket): headers over Node's limit → 431/4220,
 *   a request the HTTP parser rejects → 400/4220, a request that took too long → 408/4220;
 * - `clientFailure()`: the error handler's mapping of other 4xx errors raised by Fastify and plugins
 *   (multipart limits and malformed bodies included) instead of a 500.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { ErrorCode, type ErrorCodeValue } from "@skyriff/contracts";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, defaultMessage, type Locale, localeFrom } from "../lib/errors.js";

interface Failure {
  status: number;
  code: ErrorCodeValue;
  message: { zh: string; en: string } | null;
  data: Record<string, unknown> | null;
}

const validation = (
  status: number,
  reason: string,
  message: { zh: string; en: string } | null = null,
): Failure => ({
  status,
  code: ErrorCode.VALIDATION,
  message,
  data: { reason },
});

const MALFORMED_MULTIPART = { zh: "上传内容格式错误", en: "Malformed multipart/form-data body" };
const TOO_MANY_PARTS = { zh: "上传的文件或字段过多", en: "Too many files or fields in the upload" };

/** What a 4xx error of Fastify or a plugin means to the client; `null` for anything else. */
export function clientFailure(err: unknown): Failure | null {
  const e = err as Partial<FastifyError> | null;
  if (!e || typeof e !== "object") return null;
  switch (e.code) {
    case "FST_PARTS_LIMIT":
    case "FST_FILES_LIMIT":
    case "FST_FIELDS_LIMIT":
      return {
        ...validation(413, "too_many_parts", TOO_MANY_PARTS),
        data: { fields: { file: TOO_MANY_PARTS.en } },
      };
    case "FST_REQ_FILE_TOO_LARGE":
      return validation(413, "file_too_large");
    case "FST_PROTO_VIOLATION":
    case "FST_MP_PREMATURE_CLOSE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
    case "FST_INVALID_JSON_FIELD_ERROR":
      return {
        ...validation(400, "malformed_multipart", MALFORMED_MULTIPART),
        data: { fields: { file: MALFORMED_MULTIPART.en } },
      };
  }
  const status = e.statusCode;
  if (typeof status !== "number" || status < 400 || status >= 500) return null;
  if (status === 401) return { status, code: ErrorCode.NOT_LOGGED_IN, message: null, data: null };
  if (status === 403) return { status, code: ErrorCode.NOT_ALLOWED, message: null, data: null };
  if (status === 404) return { status, code: ErrorCode.NOT_FOUND, message: null, data: null };
  if (status === 409) return { status, code: ErrorCode.STATE_CONFLICT, message: null, data: null };
  return validation(status, typeof e.code === "string" ? e.code.toLowerCase() : "bad_request");
}

/** Multipart parsing failures (busboy's own errors carry no code): malformed unless a known limit. */
export function multipartFailure(err: unknown): Failure {
  const known = clientFailure(err);
  if (known && (known.status === 413 || known.status === 400)) return known;
  return {
    ...validation(400, "malformed_multipart", MALFORMED_MULTIPART),
    data: { fields: { file: MALFORMED_MULTIPART.en } },
  };
}

export function envelopeOf(f: Failure, locale: Locale) {
  const message = f.message
    ? locale === "en"
      ? f.message.en
      : f.message.zh
    : defaultMessage(f.code, locale);
  return { code: f.code, message, data: f.data };
}

const BAD_URL = { zh: "请求地址无效", en: "The request URL is not valid" };
const URL_TOO_LONG = { zh: "请求地址过长", en: "A path parameter is too long" };

/** Fastify's `frameworkErrors`: answers that never reach routing, with the security headers. */
export function frameworkErrorHandler(headers: Record<string, string>) {
  return (error: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const locale = localeFrom(req.headers["accept-language"]);
    const failure: Failure =
      error.code === "FST_ERR_BAD_URL"
        ? validation(400, "bad_url", BAD_URL)
        : error.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? validation(414, "param_too_long", URL_TOO_LONG)
          : { status: 500, code: ErrorCode.INTERNAL, message: null, data: null };
    if (failure.status === 500) req.log.error({ err: error }, "framework error");
    reply
      .headers({ ...headers, "cache-control": "no-store" })
      .code(failure.status)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(envelopeOf(failure, locale)));
  };
}

const HEADER_TOO_LARGE = { zh: "请求头过大", en: "Request headers too large" };
const MALFORMED_REQUEST = { zh: "请求格式错误", en: "Malformed HTTP request" };
const TIMEOUT = { zh: "请求超时", en: "Request timed out" };

/** Accept-Language from what the parser had read, when the request got that far. */
function localeOfRawPacket(packet: unknown): Locale {
  if (!Buffer.isBuffer(packet)) return "zh-CN";
  const m = /\r\naccept-language:[ \t]*([^\r\n]*)/i.exec(packet.subarray(0, 64 * 1024).toString("latin1"));
  return localeFrom(m?.[1]);
}

/**
 * Fastify's `clientErrorHandler`: the connection-level errors Node raises before any request exists,
 * written as a complete HTTP response on the raw socket, then the socket is closed.
 */
export function clientErrorHandler(headers: Record<string, string>) {
  return function (
    this: { log: { trace(o: object, m: string): void } },
    err: Error & { code?: string; rawPacket?: unknown },
    socket: Socket,
  ): void {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const failure =
      err.code === "HPE_HEADER_OVERFLOW"
        ? validation(431, "header_too_large", HEADER_TOO_LARGE)
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? validation(408, "request_timeout", TIMEOUT)
          : validation(400, "malformed_request", MALFORMED_REQUEST);
    this.log.trace({ err }, "client error");
    if (socket.writable) {
      const body = JSON.stringify(envelopeOf(failure, localeOfRawPacket(err.rawPacket)));
      const head = {
        ...headers,
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(body)),
        "cache-control": "no-store",
        connection: "close",
      };
      const lines = Object.entries(head).map(([k, v]) => `${k}: ${v}`);
      socket.write(
        `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status]}\r\n${lines.join("\r\n")}\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}

/** A failure as the AppError the error handler sends. */
export function asAppError(f: Failure): AppError {
  return new AppError(f.code, f.data, f.message ?? undefined, f.status);
}
