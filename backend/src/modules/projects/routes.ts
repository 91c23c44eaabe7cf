import { envelope, project, projectBody } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import * as service from "./service.js";

const tags = ["projects"];
const security = [{ bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });

export async function projectRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.get(
    "/projects",
    {
      preValidation,
      schema: {
        tags,
        summary: "My projects with video counts",
        security,
        response: { 200: envelope(z.object({ items: z.array(project) })) },
      },
    },
    async (req) => ok(await service.listProjects(ctx, currentUser(req).userId)),
  );
  app.post(
    "/projects",
    {
      preValidation,
      schema: {
        tags,
        summary: "Create a project",
        security,
        body: projectBody,
        response: { 200: envelope(project) },
      },
    },
    async (req) => ok(await service.createProject(ctx, currentUser(req).userId, req.body.name)),
  );
  app.patch(
    "/projects/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Rename a project",
        security,
        params,
        body: projectBody,
        response: { 200: envelope(project) },
      },
    },
    async (req) =>
      ok(await service.renameProject(ctx, currentUser(req).userId, req.params.id, req.body.name)),
  );
  app.delete(
    "/projects/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Delete a project (its videos move to 未分类)",
        security,
        params,
        response: { 200: envelope(z.object({ deleted: z.boolean() })) },
      },
    },
    async (req) => ok(await service.deleteProject(ctx, currentUser(req).userId, req.params.id)),
  );
}
