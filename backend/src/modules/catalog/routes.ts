import { envelope, product, productsQuery, publicConfig as publicConfigSchema } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { localeFrom } from "../../lib/errors.js";
import { listProducts, publicConfig } from "./service.js";

export async function catalogRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/products",
    {
      schema: {
        tags: ["catalog"],
        summary: "Products on sale",
        querystring: productsQuery,
        response: { 200: envelope(z.object({ items: z.array(product) })) },
      },
    },
    async (req) =>
      ok({ items: await listProducts(ctx, req.query.type, localeFrom(req.headers["accept-language"])) }),
  );

  app.get(
    "/config",
    {
      schema: {
        tags: ["catalog"],
        summary: "Public economy constants",
        response: { 200: envelope(publicConfigSchema) },
      },
    },
    async () => ok(await publicConfig(ctx)),
  );
}
