/**
 * The baseline: a bare Fastify server (no logger, hooks, plugins or schemas) with one route that
 * returns a constant envelope shaped and sized like GET /api/v1/me/wallets. Started as a child by
 * the benches: PORT (required) and HOST (default 127.0.0.1). Exits on SIGTERM/SIGINT and when its
 * stdin closes, so it does not outlive a bench that was killed.
 */
import Fastify from "fastify";

const BARE_PATH = "/bare";

const BODY = {
  code: 0,
  message: "ok",
  data: {
    credits: { balance: 1000 },
    coins: { available: "0.00", pending: "0.00", pending_details: [] },
  },
};

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error("bare server: PORT must be set");
  process.exit(2);
}

const app = Fastify({ logger: false });
app.get("/healthz", async () => ({ status: "ok" }));
app.get(BARE_PATH, async () => BODY);
await app.listen({ port, host: process.env.HOST ?? "127.0.0.1" });

const shutdown = () => {
  void app.close().finally(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
