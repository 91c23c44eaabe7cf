import type { FastifyBaseLogger } from "fastify";
import type { Economy } from "./config/economy.js";
import type { AppConfig } from "./config/env.js";
import type { Database, Db } from "./db/client.js";
import type { JobRegistry, JobRunner } from "./jobs/index.js";
import type { Clock } from "./lib/clock.js";
import type { SessionCache } from "./modules/auth/session-cache.js";
import type { TokenService } from "./modules/auth/tokens.js";
import type { ModelCatalog } from "./modules/catalog/models.js";
import type { VendorHealth } from "./modules/generation/health.js";
import type { WalletCache } from "./modules/wallet/cache.js";
import type { PayChannels } from "./providers/pay/index.js";
import type { PayoutChannel, PayoutProvider } from "./providers/payout/index.js";
import type { SmsProvider } from "./providers/sms/types.js";
import type { ObjectStorage } from "./providers/storage/types.js";
import type { WechatOAuthClient } from "./providers/wechat-oauth/types.js";
import type { VendorName, VideoVendor } from "./vendors/types.js";

/** Everything a service needs, built once per process (and once per test app). */
export interface AppContext {
  config: AppConfig;
  economy: Economy;
  database: Database;
  db: Db;
  clock: Clock;
  log: FastifyBaseLogger;
  tokens: TokenService;
  sessions: SessionCache;
  walletCache: WalletCache;
  sms: SmsProvider;
  /** null when WeChat login is not configured (and no sandbox in production). */
  wechat: WechatOAuthClient | null;
  storage: ObjectStorage;
  /**
   * The model catalog at runtime (code defaults + the admins' switches, read in the background):
   * `catalog.models()` lists them, `enabled` says which ones users may pick; `catalog.model(id)`.
   */
  catalog: ModelCatalog;
  /** The vendors with credentials (plus the simulator when it is on). */
  vendors: Map<VendorName, VideoVendor>;
  /** Per-vendor circuit breakers, error rates and latency of this process's vendor calls. */
  vendorHealth: VendorHealth;
  registry: JobRegistry;
  jobs: JobRunner;
  /** The offered payment channels (and the sandbox gateway in development). */
  pay: PayChannels;
  /** The offered payout channels for withdrawals (PAYOUT_CHANNELS). */
  payouts: Map<PayoutChannel, PayoutProvider>;
}
