import { envelope, ledgerEntry, ledgerQuery, page, wallets } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { getWallets, listLedger } from "./service.js";

const security = [{ bearerAuth: [] }];

export async function walletRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.get(
    "/me/wallets",
    {
      preValidation,
      schema: {
        tags: ["wallet"],
        summary: "The three wallets",
        security,
        response: { 200: envelope(wallets) },
      },
    },
    async (req) => ok(await getWallets(ctx, currentUser(req).userId)),
  );

  app.get(
    "/wallet/ledgers",
    {
      preValidation,
      schema: {
        tags: ["wallet"],
        summary: "The user's ledger (credits or coins), newest first",
        security,
        querystring: ledgerQuery,
        response: { 200: envelope(page(ledgerEntry)) },
      },
    },
    async (req) => ok(await listLedger(ctx.db, currentUser(req).userId, req.query)),
  );
}
