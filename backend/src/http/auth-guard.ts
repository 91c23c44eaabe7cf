import { ErrorCode } from "@skyriff/contracts";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { sessionState } from "../modules/auth/repository.js";

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
    const token = header?.startsWith("Bearer ")
      ? header.slice(7).trim()
      : typeof fromQuery === "string"
        ? fromQuery
        : "";
    if (!token) throw new AppError(ErrorCode.NOT_LOGGED_IN);
    const claims = ctx.tokens.readAccess(token);
    let state = ctx.sessions.get(claims.sessionId);
    if (state === undefined) {
      state = await sessionState(ctx.db, claims.sessionId, claims.userId);
      ctx.sessions.set(claims.sessionId, state);
    }
    if (!state || state.revoked) throw new AppError(ErrorCode.NOT_LOGGED_IN);
    if (state.userStatus === "banned") throw new AppError(ErrorCode.USER_BANNED);
    request.auth = claims;
  };
}

export function currentUser(request: FastifyRequest): AuthInfo {
  if (!request.auth) throw new AppError(ErrorCode.NOT_LOGGED_IN);
  return request.auth;
}
