import { envelope, page, task, taskCreateBody, taskCreateResult, tasksQuery } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { sessionIsLive } from "../auth/service.js";
import * as service from "./service.js";

const tags = ["generation"];
const security = [{ bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });
const SSE_POLL_MS = 1000;
const SSE_HEARTBEAT_MS = 15_000;

export async function generationRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.post(
    "/tasks/create",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "tasks.create")],
      schema: {
        tags,
        summary: "Create a generation task (holds its cost at once)",
        security,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: taskCreateBody,
        response: { 200: envelope(taskCreateResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.createTask(ctx, currentUser(req).userId, req.body, idem)),
  );

  app.get(
    "/tasks",
    {
      preValidation,
      schema: {
        tags,
        summary: "My tasks",
        security,
        querystring: tasksQuery,
        response: { 200: envelope(page(task)) },
      },
    },
    async (req) => ok(await service.listTasks(ctx, currentUser(req).userId, req.query)),
  );

  app.get(
    "/tasks/:id",
    {
      preValidation,
      schema: { tags, summary: "One of my tasks", security, params, response: { 200: envelope(task) } },
    },
    async (req) => ok(await service.getTask(ctx, currentUser(req).userId, req.params.id)),
  );

  app.get(
    "/tasks/:id/events",
    {
      preValidation: authGuard(ctx, { queryToken: true }),
      schema: {
        tags,
        summary: "Server-sent events (`event: task`) until the task ends",
        security,
        params,
        querystring: z.object({ access_token: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const { userId } = currentUser(req);
      let current = await service.getTask(ctx, userId, req.params.id);
      reply.hijack();
      const res = reply.raw;
      // Hijacked: the headers Fastify's hooks set (CORS for an allowed origin, security headers) go too.
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string | number | string[]>),
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      const send = (data: unknown) => res.write(`event: task\ndata: ${JSON.stringify(data)}\n\n`);
      send(current);
      let closed = false;
      let lastBeat = Date.now();
      req.raw.on("close", () => {
        closed = true;
      });
      const claims = currentUser(req);
      while (!closed && current.status !== "SUCCESS" && current.status !== "FAILURE") {
        await new Promise((r) => setTimeout(r, SSE_POLL_MS));
        if (closed) break;
        // A stream outlives its request's auth check: it ends once the session is revoked (logout, reuse).
        if (!(await sessionIsLive(ctx, claims).catch(() => false))) {
          res.write(`event: session_ended\ndata: {"code":1001}\n\n`);
          break;
        }
        const next = await service.getTask(ctx, userId, req.params.id).catch(() => null);
        if (!next) break;
        if (
          next.updated_at !== current.updated_at ||
          next.status !== current.status ||
          next.progress !== current.progress
        ) {
          send(next);
          current = next;
        } else if (Date.now() - lastBeat > SSE_HEARTBEAT_MS) {
          res.write(": keep-alive\n\n");
          lastBeat = Date.now();
        }
      }
      res.end();
    },
  );
}
