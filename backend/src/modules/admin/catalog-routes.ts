import {
  adminModel,
  adminModelPatch,
  adminProduct,
  adminProductPatch,
  adminVendorBody,
  envelope,
} from "@skyriff/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import type { AdminActor } from "./audit.js";
import * as service from "./catalog.js";
import { requireRole } from "./roles.js";

const security = [{ bearerAuth: [] }];
const tags = ["admin"];
const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const vendorParams = z.strictObject({ vendor: z.string().min(1).max(32) });

const actorOf = (req: FastifyRequest): AdminActor => ({ userId: currentUser(req).userId, requestId: req.id });

/** The catalog at runtime (SPEC §7): products and the model catalog, admin only; every change audited. */
export async function adminCatalogRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // The role is checked before the body is validated: without it, every admin route answers 403 alike.
  const preValidation = [authGuard(ctx), requireRole(ctx)];

  app.get(
    "/admin/products",
    {
      preValidation,
      schema: {
        tags,
        summary: "Every product, on sale or not, in display order",
        security,
        response: { 200: envelope(z.object({ items: z.array(adminProduct) })) },
      },
    },
    async () => ok({ items: await service.listProducts(ctx) }),
  );

  app.patch(
    "/admin/products/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Edit a product (name, price, what it grants, on sale): new payments use it at once",
        security,
        params: idParams,
        body: adminProductPatch,
        response: { 200: envelope(adminProduct) },
      },
    },
    async (req) => ok(await service.updateProduct(ctx, actorOf(req), req.params.id, req.body)),
  );

  app.get(
    "/admin/models",
    {
      preValidation,
      schema: {
        tags,
        summary: "The model catalog as it runs now (code defaults + admin changes)",
        security,
        response: { 200: envelope(z.object({ items: z.array(adminModel) })) },
      },
    },
    async () => ok({ items: await service.listModels(ctx) }),
  );

  app.patch(
    "/admin/models/:id",
    {
      preValidation,
      schema: {
        tags,
        summary:
          "Switch a model on or off, set its credits per second, durations, ratios (among what its vendor can do) and timeout; every process within seconds",
        security,
        params: idParams,
        body: adminModelPatch,
        response: { 200: envelope(adminModel) },
      },
    },
    async (req) => ok(await service.updateModel(ctx, actorOf(req), req.params.id, req.body)),
  );

  app.patch(
    "/admin/vendors/:vendor",
    {
      preValidation,
      schema: {
        tags,
        summary: "Switch a whole vendor off (a vendor that is down) or on again; answers every model",
        security,
        params: vendorParams,
        body: adminVendorBody,
        response: { 200: envelope(z.object({ items: z.array(adminModel) })) },
      },
    },
    async (req) =>
      ok({
        items: await service.switchVendor(ctx, actorOf(req), req.params.vendor, req.body.switched_on),
      }),
  );
}
