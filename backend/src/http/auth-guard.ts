import { ErrorCode } from "@skyriff/contracts";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { authenticate } from "../modules/auth/service.js";

export interface AuthInfo {
  userId: string;
  sessionId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthInfo | null;
  }
}

/** preHandler: a valid, unexpired access token of a live session of an active user. */
export function authGuard(ctx: AppContext, opts: { queryToken?: boolean } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    // EventSource cannot send headers, so SSE routes also accept ?access_token=.
    const fromQuery = opts.queryToken
      ? (request.query as { access_token?: unknown }).access_token
      : undefined;
    // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer x` and `BEARER x` work too.
    const bearer = header ? /^bearer[ \t]+(\S.*)$/i.exec(header) : null;
    const token = bearer?.[1] ? bearer[1].trim() : typeof fromQuery === "string" ? fromQuery : "";
    if (!token) throw new AppError(ErrorCode.NOT_LOGGED_IN);
    request.auth = await authenticate(ctx, token);
  };
}

export function currentUser(request: FastifyRequest): AuthInfo {
  if (!request.auth) throw new AppError(ErrorCode.NOT_LOGGED_IN);
  return request.auth;
}

/**
 * preValidation for public routes that personalise when signed in: no Authorization header means an
 * anonymous viewer (`request.auth` stays null); a header with a bad or expired token is still 401, so
 * the app refreshes instead of silently seeing the anonymous view.
 */
export function optionalAuth(ctx: AppContext) {
  const guard = authGuard(ctx);
  return async (request: FastifyRequest): Promise<void> => {
    if (request.headers.authorization === undefined) return;
    await guard(request);
  };
}

export function viewerOf(request: FastifyRequest): string | null {
  return request.auth?.userId ?? null;
}
