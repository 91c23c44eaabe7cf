import { dashboardQuery, envelope, vendorCosts } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { authGuard } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { formatCoins } from "../../lib/money.js";
import { DAY_MS, shanghaiDate } from "../../lib/time.js";
import { requireRole } from "../admin/roles.js";
import * as repo from "./repository.js";

/** Credits charged vs vendor cost by model and day (issue 13 §7): admin or finance. */
export async function vendorCostRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    "/admin/vendor-costs",
    {
      // The role is checked before the query is validated, like every admin route.
      preValidation: [authGuard(ctx), requireRole(ctx, "finance")],
      schema: {
        tags: ["admin"],
        summary: "Credits charged vs vendor cost per model and Shanghai day",
        security: [{ bearerAuth: [] }],
        querystring: dashboardQuery,
        response: { 200: envelope(vendorCosts) },
      },
    },
    async (req) => {
      const days = req.query.days;
      const fromDay = shanghaiDate(new Date(ctx.clock.now().getTime() - (days - 1) * DAY_MS));
      const rows = await repo.vendorCostsByDay(ctx.db, fromDay, days);
      return ok({
        days,
        items: rows.map((r) => ({
          day: r.day,
          model: r.model,
          tasks: Number(r.tasks),
          succeeded: Number(r.succeeded),
          credits_charged: Number(r.credits_charged),
          // Milli-yuan has the same three decimals as milli-coins.
          vendor_cost_cny: formatCoins(BigInt(r.vendor_cost_milli)),
        })),
      });
    },
  );
}
