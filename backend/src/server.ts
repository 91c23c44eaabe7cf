import { createHmac, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import { loadEconomy } from "./config/economy.js";
import type { AppConfig } from "./config/env.js";
import type { AppContext } from "./context.js";
import { openDatabase } from "./db/client.js";
import { clientErrorHandler, frameworkErrorHandler } from "./http/client-errors.js";
import { installErrorHandler, notFound } from "./http/error-handler.js";
import { installInputGuard } from "./http/input-guard.js";
import { acceptEmptyJsonBodies } from "./http/json-body.js";
import { openapiErrorDocs } from "./http/openapi-errors.js";
import { docsCsp, mediaOriginsOf, registerSecurity, staticSecurityHeaders } from "./http/security.js";
import { serializerCompiler } from "./http/serializer.js";
import { registerCleanupJobs } from "./jobs/cleanup.js";
import { createRunner, JobRegistry, type RunnerRoles } from "./jobs/index.js";
import { registerLedgerJobs } from "./ledger/jobs.js";
import { type Clock, pinnable, systemClock } from "./lib/clock.js";
import { redactUrl } from "./lib/redact.js";
import { adminCatalogRoutes } from "./modules/admin/catalog-routes.js";
import { registerAdminJobs } from "./modules/admin/daily-stats-job.js";
import { adminJobRoutes } from "./modules/admin/jobs-routes.js";
import { adminRoutes } from "./modules/admin/routes.js";
import { assetRoutes } from "./modules/assets/routes.js";
import { registerAuthJobs } from "./modules/auth/jobs.js";
import { authRoutes } from "./modules/auth/routes.js";
import { SessionCache } from "./modules/auth/session-cache.js";
import { TokenService } from "./modules/auth/tokens.js";
import { startModelCatalog } from "./modules/catalog/models.js";
import { catalogRoutes } from "./modules/catalog/routes.js";
import { registerCoinJobs } from "./modules/coins/jobs.js";
import { creatorIncomeRoutes } from "./modules/creator-income/routes.js";
import { devRoutes } from "./modules/dev/routes.js";
import { registerCommunityJobs } from "./modules/feed/jobs.js";
import { feedRoutes } from "./modules/feed/routes.js";
import { VendorHealth } from "./modules/generation/health.js";
import { registerGenerationJobs } from "./modules/generation/jobs.js";
import { generationRoutes } from "./modules/generation/routes.js";
import { vendorCostRoutes } from "./modules/generation/vendor-costs.js";
import { mediaRoutes } from "./modules/media/routes.js";
import { notificationRoutes } from "./modules/notifications/routes.js";
import { registerOrderJobs } from "./modules/orders/jobs.js";
import { adminOrderRoutes, orderRoutes } from "./modules/orders/routes.js";
import { registerPaymentJobs } from "./modules/payments/jobs.js";
import { paymentRoutes } from "./modules/payments/routes.js";
import { projectRoutes } from "./modules/projects/routes.js";
import { registerPromoterJobs } from "./modules/promoter/jobs.js";
import { promoterRoutes } from "./modules/promoter/routes.js";
import { socialRoutes } from "./modules/social/routes.js";
import { subscriptionRoutes } from "./modules/subscriptions/routes.js";
import { systemRoutes } from "./modules/system/routes.js";
import { registerTaskCenterJobs } from "./modules/task-center/jobs.js";
import { taskCenterRoutes } from "./modules/task-center/routes.js";
import { userRoutes } from "./modules/users/routes.js";
import { vendorCallbackRoutes } from "./modules/vendor-callbacks/routes.js";
import { startBalanceFeed } from "./modules/wallet/balance-feed.js";
import { WalletCache } from "./modules/wallet/cache.js";
import { walletRoutes } from "./modules/wallet/routes.js";
import { registerWithdrawalJobs } from "./modules/withdrawals/jobs.js";
import { adminWithdrawalRoutes, withdrawalRoutes } from "./modules/withdrawals/routes.js";
import { shareRoutes, worksRoutes } from "./modules/works/routes.js";
import {
  createPayChannels,
  type NotifyDelivery,
  SANDBOX_PAY_PREFIX,
  sandboxCashierPlugin,
} from "./providers/pay/index.js";
import { createPayoutChannels } from "./providers/payout/index.js";
import { createSmsProvider } from "./providers/sms/index.js";
import type { SmsProvider } from "./providers/sms/types.js";
import { createStorage, localFilesPlugin, localStorageRoot } from "./providers/storage/index.js";
import { createWechatOAuthClient } from "./providers/wechat-oauth/client.js";
import { wechatSandboxPlugin } from "./providers/wechat-oauth/sandbox.js";
import type { WechatOAuthClient } from "./providers/wechat-oauth/types.js";
import { createVendors } from "./vendors/index.js";
import { createSimulatedVendor } from "./vendors/simulated.js";
import type { VendorName, VideoVendor } from "./vendors/types.js";

export interface ServerOptions {
  /** Which job roles this process takes (default: all). */
  roles?: RunnerRoles;
  clock?: Clock;
  sms?: SmsProvider;
  /** Replace the WeChat client (tests point it at a fake on another port). */
  wechat?: WechatOAuthClient | null;
  /** PGlite location when DATABASE_URL is unset (default DATA_DIR/pglite; tests use memory://). */
  pgliteDir?: string;
  pgliteTemplate?: Blob;
  /** Replace the vendors (tests point them at fakes). */
  vendors?: Map<VendorName, VideoVendor>;
  jobPollMs?: number;
  /** How long an outbox claim lasts without a heartbeat (default 60 s; tests shorten it). */
  jobLeaseMs?: number;
  logger?: boolean;
  /** Where log lines go instead of stdout (tests capture them); implies a JSON logger. */
  logStream?: { write(line: string): void };
}

export interface Server {
  app: FastifyInstance;
  ctx: AppContext;
}

const SANDBOX_PREFIX = "/sandbox/wechat";
const SANDBOX_APP_ID = "wxsandbox5ky71ff0";

/** Builds the whole process: context (DB, providers, jobs) and the Fastify app. */
export async function createServer(config: AppConfig, opts: ServerOptions = {}): Promise<Server> {
  const rawErrorHeaders = staticSecurityHeaders(config);
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(config, opts.logStream),
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    // Errors outside routing still answer in the envelope, with the security headers.
    frameworkErrors: frameworkErrorHandler(rawErrorHeaders),
    clientErrorHandler: clientErrorHandler(rawErrorHeaders),
  });
  const ctx = await createContext(config, app.log, opts);
  const balanceFeed = await startBalanceFeed(ctx.database, ctx.walletCache, app.log);
  app.addHook("onClose", async () => {
    await balanceFeed.close();
    await ctx.jobs.stop();
    ctx.vendorHealth.close();
    await ctx.catalog.close();
    await ctx.database.close();
  });
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  app.decorateRequest("auth", null);
  app.decorateRequest("idempotency", null);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  acceptEmptyJsonBodies(app);
  installErrorHandler(app);
  await registerSecurity(app, { config, mediaOrigins: await mediaOriginsOf(ctx.storage) });
  installInputGuard(app);
  await registerDocs(app);
  await app.register((scope) => systemRoutes(scope, ctx));
  await app.register(
    async (api) => {
      await authRoutes(api, ctx);
      await userRoutes(api, ctx);
      await walletRoutes(api, ctx);
      await catalogRoutes(api, ctx);
      await mediaRoutes(api, ctx);
      await generationRoutes(api, ctx);
      await vendorCallbackRoutes(api, ctx);
      await assetRoutes(api, ctx);
      await projectRoutes(api, ctx);
      await worksRoutes(api, ctx);
      await socialRoutes(api, ctx);
      await feedRoutes(api, ctx);
      await creatorIncomeRoutes(api, ctx);
      await paymentRoutes(api, ctx);
      await subscriptionRoutes(api, ctx);
      await promoterRoutes(api, ctx);
      await notificationRoutes(api, ctx);
      await taskCenterRoutes(api, ctx);
      await withdrawalRoutes(api, ctx);
      await adminWithdrawalRoutes(api, ctx);
      await orderRoutes(api, ctx);
      await adminOrderRoutes(api, ctx);
      await adminRoutes(api, ctx);
      await adminCatalogRoutes(api, ctx);
      await adminJobRoutes(api, ctx);
      await vendorCostRoutes(api, ctx);
      if (config.devToolsEnabled) await devRoutes(api, ctx);
    },
    { prefix: "/api/v1" },
  );
  if (usesWechatSandbox(config) && opts.wechat === undefined) {
    await app.register(wechatSandboxPlugin, {
      prefix: SANDBOX_PREFIX,
      appId: SANDBOX_APP_ID,
      appSecret: sandboxSecret(config),
    });
  }
  if (ctx.pay.sandbox) {
    ctx.pay.deliver = injectedDelivery(app);
    await app.register(sandboxCashierPlugin, {
      prefix: SANDBOX_PAY_PREFIX,
      gateway: ctx.pay.sandbox,
      deliver: (url, headers, body) => ctx.pay.deliver(url, headers, body),
      now: () => ctx.clock.now(),
    });
  }
  if (ctx.storage.kind === "local") {
    await app.register(localFilesPlugin, {
      prefix: "/files",
      rootDir: localStorageRoot(config.dataDir),
      secret: storageSecret(config),
    });
  }
  await app.register((scope) => shareRoutes(scope, ctx));
  await serveApp(app, config);
  await ctx.jobs.start(opts.roles ?? { dispatch: true, work: true, schedule: true });
  return { app, ctx };
}

async function createContext(
  config: AppConfig,
  log: FastifyBaseLogger,
  opts: ServerOptions,
): Promise<AppContext> {
  const clock = pinnable(opts.clock ?? systemClock);
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: opts.pgliteDir ?? path.join(config.dataDir, "pglite"),
    pgliteTemplate: opts.pgliteTemplate,
    poolMax: config.DATABASE_POOL_MAX,
    onIdleError: (err) => log.warn({ err }, "idle database connection lost"),
  });
  const registry = new JobRegistry();
  const vendors = opts.vendors ?? vendorsFor(config);
  const ctx = {
    config,
    economy: loadEconomy(),
    database,
    db: database.db,
    clock,
    log,
    tokens: new TokenService(config.jwtSecret, clock),
    sessions: new SessionCache(),
    walletCache: new WalletCache(),
    sms: opts.sms ?? createSmsProvider(config, log),
    wechat: opts.wechat === undefined ? wechatClientFor(config) : opts.wechat,
    storage: createStorage(config, storageSecret(config)),
    catalog: await startModelCatalog(
      database,
      {
        configuredVendors: new Set(vendors.keys()),
        disabled: new Set(
          config.MODELS_DISABLED.split(",")
            .map((m) => m.trim())
            .filter(Boolean),
        ),
        timeoutOverrideMinutes: config.MODEL_TIMEOUT_MINUTES,
      },
      log,
    ),
    vendors,
    registry,
    pay: createPayChannels(config, database.db, () => clock.now()),
    payouts: createPayoutChannels(config, config.payoutChannels, {
      wechat: { transferSceneId: config.WECHATPAY_TRANSFER_SCENE_ID },
    }),
  } as Omit<AppContext, "jobs" | "vendorHealth"> as AppContext;
  ctx.vendorHealth = new VendorHealth(database.db, ctx.catalog, log);
  registerAuthJobs(registry, ctx);
  registerLedgerJobs(registry, { db: database.db });
  registerAdminJobs(registry, ctx);
  registerCoinJobs(registry, ctx);
  registerGenerationJobs(registry, ctx);
  registerCleanupJobs(registry, ctx);
  registerCommunityJobs(registry, ctx);
  registerPaymentJobs(registry, ctx);
  registerTaskCenterJobs(registry, ctx);
  registerWithdrawalJobs(registry, ctx);
  registerOrderJobs(registry, ctx);
  registerPromoterJobs(registry, ctx);
  ctx.jobs = createRunner(database.db, registry, log, {
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    pollMs: opts.jobPollMs,
    leaseMs: opts.jobLeaseMs,
  });
  return ctx;
}

/**
 * The sandbox gateway delivers its notifications through this server's own HTTP stack (routing, body
 * parsing, hooks), in-process: it works whatever host, port or proxy the server is reached by.
 */
function injectedDelivery(app: FastifyInstance): NotifyDelivery {
  return async (url, headers, body) => {
    const res = await app.inject({
      method: "POST",
      url: new URL(url, "http://local").pathname,
      headers,
      payload: body,
    });
    return { status: res.statusCode, body: res.body };
  };
}

function storageSecret(config: AppConfig): string {
  return createHmac("sha256", config.appSecret).update("storage-links").digest("hex");
}

function vendorsFor(config: AppConfig): Map<VendorName, VideoVendor> {
  const simulated = config.simulatedVendor
    ? createSimulatedVendor({
        workDir: path.join(config.dataDir, "simulated-vendor"),
        totalSeconds: config.SIMULATED_VENDOR_SECONDS,
      })
    : undefined;
  return createVendors({ ...config, simulated });
}

function usesWechatSandbox(config: AppConfig): boolean {
  return !config.WECHAT_OAUTH_APP_ID && config.devToolsEnabled;
}

function sandboxSecret(config: AppConfig): string {
  return createHmac("sha256", config.appSecret).update("wechat-sandbox").digest("hex");
}

/** Real WeChat when configured; otherwise, outside production, the built-in sandbox on this server. */
function wechatClientFor(config: AppConfig): WechatOAuthClient | null {
  if (config.WECHAT_OAUTH_APP_ID && config.WECHAT_OAUTH_APP_SECRET) {
    return createWechatOAuthClient({
      appId: config.WECHAT_OAUTH_APP_ID,
      appSecret: config.WECHAT_OAUTH_APP_SECRET,
      apiBase: config.WECHAT_API_BASE,
      authorizeBase: config.WECHAT_AUTHORIZE_BASE,
    });
  }
  if (!usesWechatSandbox(config)) return null;
  return createWechatOAuthClient({
    appId: SANDBOX_APP_ID,
    appSecret: sandboxSecret(config),
    apiBase: `http://127.0.0.1:${config.PORT}${SANDBOX_PREFIX}`,
    // Relative, so the browser stays on whatever origin it opened the app with.
    authorizeBase: SANDBOX_PREFIX,
  });
}

function loggerOptions(config: AppConfig, stream?: { write(line: string): void }) {
  const base = {
    level: config.LOG_LEVEL,
    redact: ["req.headers.authorization", "req.headers.cookie"],
    serializers: {
      // SSE carries the access token in the query (EventSource sends no headers), signed links their
      // signature: never log them.
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
    // Last line of defence for every line (error messages, vendor answers): no signed URL survives.
    hooks: { streamWrite: redactUrl },
  };
  if (stream) return { ...base, stream };
  const pretty = config.LOG_PRETTY || (!config.isProduction && process.stdout.isTTY);
  return pretty
    ? { ...base, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss" } } }
    : base;
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: "SkyRiff API",
        version: "1.0.0",
        description: "AI short-video app API (envelope: {code, message, data})",
      },
      servers: [],
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
    // Error responses of every operation (documentation only), from http/openapi-errors.ts.
    ...openapiErrorDocs(),
  });
  // No validator badge: it would load an image from a third-party host the CSP does not allow.
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: { validatorUrl: null },
    transformStaticCSP: docsCsp,
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

const defaultAppDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app/dist");
const defaultAdminDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../admin/dist");
const ADMIN_PREFIX = "/admin/";

/**
 * Serves the built admin console at /admin/ with its own SPA fallback, under the site's CSP: antd 6
 * runs zero-runtime (its styles come from antd/dist/antd.css), so no inline style is needed.
 */
async function serveAdmin(app: FastifyInstance, root: string): Promise<boolean> {
  if (!existsSync(path.join(root, "index.html"))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: ADMIN_PREFIX,
    decorateReply: false,
    wildcard: false,
    index: ["index.html"],
  });
  return true;
}

/** Serves the built H5 app at / with an SPA fallback; API paths keep their JSON 404. */
async function serveApp(app: FastifyInstance, config: AppConfig): Promise<void> {
  const root = config.APP_DIST_DIR ? path.resolve(config.APP_DIST_DIR) : defaultAppDist;
  const built = existsSync(path.join(root, "index.html"));
  if (built) await app.register(fastifyStatic, { root, wildcard: false, index: ["index.html"] });
  const adminRoot = config.ADMIN_DIST_DIR ? path.resolve(config.ADMIN_DIST_DIR) : defaultAdminDist;
  const adminBuilt = await serveAdmin(app, adminRoot);
  app.setNotFoundHandler((req, reply) => {
    const isPage = req.method === "GET" && !/^\/(api|docs|sandbox|static|files)(\/|$)/.test(req.url);
    if (!isPage) return notFound(req, reply);
    if (adminBuilt && (req.url === "/admin" || req.url.startsWith(ADMIN_PREFIX))) {
      return reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-cache")
        .sendFile("index.html", adminRoot);
    }
    if (!built) {
      return reply
        .type("text/html; charset=utf-8")
        .send(
          "<!doctype html><meta charset=utf-8><p>SkyRiff app is not built yet: run <code>npm start</code> from the repository root.</p>",
        );
    }
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").sendFile("index.html");
  });
}
