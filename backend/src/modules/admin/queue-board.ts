import { createHmac, timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import { ErrorCode } from "@skyriff/contracts";
import type { Queue } from "bullmq";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import { docsCsp } from "../../http/security.js";
import { AppError, localeFrom } from "../../lib/errors.js";
import { authenticate, sessionIsLive } from "../auth/service.js";
import type { AccessClaims } from "../auth/tokens.js";
import { rolesOf } from "./roles.js";

/**
 * The BullMQ dashboard (`@bull-board`), mounted under the API prefix at `/admin/queues`, for admins
 * only. A browser page cannot send the console's bearer token, so besides `Authorization: Bearer`
 * the board accepts a pass:
 *   1. `GET /admin/jobs` hands an admin `board_url` with a ticket: `?uid&sid&exp&sig`, an HMAC of the
 *      admin's user and login session, valid 2 minutes (`exp` and `sig` are scrubbed from logs).
 *   2. Opening it trades the ticket for an HttpOnly, SameSite=Strict cookie on the board's path only,
 *      valid 30 minutes, and redirects to the board without the ticket.
 *   3. Every board request (page, assets, its API) checks the pass, that the login session is still
 *      live (a logout or ban ends it) and that the user is still an admin.
 */
export const BOARD_PATH = "/admin/queues";
const COOKIE = "skyriff_board";
const TICKET_TTL_SEC = 120;
const COOKIE_TTL_SEC = 30 * 60;

type Purpose = "ticket" | "cookie";

export class BoardPass {
  private readonly key: string;

  constructor(appSecret: string) {
    this.key = createHmac("sha256", appSecret).update("queue-board").digest("hex");
  }

  /** The query string of a board link for this admin session. */
  ticket(claims: AccessClaims, now: Date): string {
    const exp = epoch(now) + TICKET_TTL_SEC;
    const sig = this.sign("ticket", claims, exp);
    return new URLSearchParams({
      uid: claims.userId,
      sid: claims.sessionId,
      exp: String(exp),
      sig,
    }).toString();
  }

  /** The ticket in a query, if it carries one: its claims, or null when forged or expired. */
  readTicket(query: Record<string, unknown>, now: Date): AccessClaims | null | undefined {
    const { uid, sid, exp, sig } = query;
    if (sig === undefined) return undefined;
    if (
      typeof uid !== "string" ||
      typeof sid !== "string" ||
      typeof exp !== "string" ||
      typeof sig !== "string"
    )
      return null;
    return this.verify("ticket", { userId: uid, sessionId: sid }, Number(exp), sig, now);
  }

  /** A `Set-Cookie` value for the board's path. */
  cookie(claims: AccessClaims, now: Date, path: string, secure: boolean): string {
    const exp = epoch(now) + COOKIE_TTL_SEC;
    const value = [claims.userId, claims.sessionId, exp, this.sign("cookie", claims, exp)].join(".");
    const flags = `Path=${path}; Max-Age=${COOKIE_TTL_SEC}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
    return `${COOKIE}=${value}; ${flags}`;
  }

  readCookie(header: string | undefined, now: Date): AccessClaims | null {
    const raw = header
      ?.split(";")
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    const [userId, sessionId, exp, sig, ...rest] = raw?.split(".") ?? [];
    if (!userId || !sessionId || !exp || !sig || rest.length > 0) return null;
    return this.verify("cookie", { userId, sessionId }, Number(exp), sig, now);
  }

  private sign(purpose: Purpose, claims: AccessClaims, exp: number): string {
    return createHmac("sha256", this.key)
      .update(`${purpose}\n${claims.userId}\n${claims.sessionId}\n${exp}`)
      .digest("base64url");
  }

  private verify(purpose: Purpose, claims: AccessClaims, exp: number, sig: string, now: Date) {
    if (!Number.isInteger(exp) || exp < epoch(now)) return null;
    const expected = Buffer.from(this.sign(purpose, claims, exp));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given) ? claims : null;
  }
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

const notSignedIn = () =>
  new AppError(ErrorCode.NOT_LOGGED_IN, null, {
    zh: "请从后台的任务页重新打开队列面板",
    en: "Open the queue board again from the console's jobs page",
  });

const notAdmin = () =>
  new AppError(ErrorCode.NOT_ALLOWED, null, { zh: "只有管理员可以打开队列面板", en: "Admins only" });

/** The viewer of a board request: a live admin session, from the bearer header or the cookie. */
async function boardViewer(ctx: AppContext, req: FastifyRequest, pass: BoardPass): Promise<AccessClaims> {
  const bearer = /^bearer[ \t]+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
  const claims = bearer
    ? await authenticate(ctx, bearer)
    : pass.readCookie(req.headers.cookie, ctx.clock.now());
  if (!claims) throw notSignedIn();
  await assertLiveAdmin(ctx, claims);
  return claims;
}

async function assertLiveAdmin(ctx: AppContext, claims: AccessClaims): Promise<void> {
  if (!(await sessionIsLive(ctx, claims))) throw notSignedIn();
  const roles = await rolesOf(ctx.db, ctx.config.adminPhones, claims.userId);
  if (!roles.has("admin")) throw notAdmin();
}

function sendError(req: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const locale = localeFrom(req.headers["accept-language"]);
  return reply.code(err.status).send({ code: err.code, message: err.messageFor(locale), data: err.data });
}

export interface QueueBoard {
  /** Where the board is (`/api/v1/admin/queues`). */
  path: string;
  /** A link that opens the board for this admin session (see the ticket above). */
  linkFor(claims: AccessClaims): string;
}

/** Mounts the board for `queue` at `{prefix}/admin/queues` of `fastify`. */
export async function mountQueueBoard(
  fastify: FastifyInstance,
  ctx: AppContext,
  queue: Queue,
): Promise<QueueBoard> {
  const basePath = `${fastify.prefix}${BOARD_PATH}`;
  const pass = new BoardPass(ctx.config.appSecret);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: [new BullMQAdapter(queue)],
    serverAdapter,
    options: { uiConfig: { boardTitle: "SkyRiff 队列" } },
  });
  await fastify.register(async (board) => {
    board.addHook("onRequest", async (req, reply) => {
      try {
        const ticket = pass.readTicket(req.query as Record<string, unknown>, ctx.clock.now());
        if (ticket === undefined) {
          await boardViewer(ctx, req, pass);
          return;
        }
        if (!ticket) throw notSignedIn();
        await assertLiveAdmin(ctx, ticket);
        reply.header("set-cookie", pass.cookie(ticket, ctx.clock.now(), basePath, req.protocol === "https"));
        return reply.redirect(`${basePath}/`, 303);
      } catch (err) {
        if (err instanceof AppError) return sendError(req, reply, err);
        throw err;
      }
    });
    // The board's bundle sets inline styles; scripts stay 'self' (as for the Swagger UI at /docs).
    board.addHook("onSend", async (_req, reply) => {
      const csp = reply.getHeader("content-security-policy");
      if (typeof csp === "string") reply.header("content-security-policy", docsCsp(csp));
    });
    await board.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
  return {
    path: basePath,
    linkFor: (claims) => `${basePath}/?${pass.ticket(claims, ctx.clock.now())}`,
  };
}
