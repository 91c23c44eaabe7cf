import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
  PUBLIC_BASE_URL: optionalString,
  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: optionalString,
  QUEUE_PREFIX: z.string().default("skyriff"),
  JWT_SECRET: optionalString,
  APP_SECRET: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: bool,
  TRUST_PROXY: bool,
  /** Other origins allowed to call the API from a browser (comma list of exact origins); default none. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const origins = v
        .split(",")
        .map((o) => o.trim().replace(/\/+$/, ""))
        .filter(Boolean);
      for (const o of origins) {
        let origin: string | null = null;
        try {
          origin = new URL(o).origin;
        } catch {}
        if (origin !== o)
          ctx.addIssue({ code: "custom", message: `not an origin (scheme://host[:port]): ${o}` });
      }
      return origins;
    }),
  APP_DIST_DIR: optionalString,
  /** Where the built admin console is (default `admin/dist`), served at /admin/. */
  ADMIN_DIST_DIR: optionalString,
  JOBS_DISABLED: bool,
  /** Outside production, dev-only routes answer loopback clients only unless this is set. */
  DEV_TOOLS: bool,
  SMS_PROVIDER: z.enum(["console", "aliyun", "tencent"]).default("console"),
  ALIYUN_SMS_ACCESS_KEY_ID: optionalString,
  ALIYUN_SMS_ACCESS_KEY_SECRET: optionalString,
  ALIYUN_SMS_SIGN_NAME: optionalString,
  ALIYUN_SMS_TEMPLATE_CODE: optionalString,
  ALIYUN_SMS_ENDPOINT: z.string().default("https://dysmsapi.aliyuncs.com"),
  TENCENT_SMS_SECRET_ID: optionalString,
  TENCENT_SMS_SECRET_KEY: optionalString,
  TENCENT_SMS_SDK_APP_ID: optionalString,
  TENCENT_SMS_SIGN_NAME: optionalString,
  TENCENT_SMS_TEMPLATE_ID: optionalString,
  TENCENT_SMS_REGION: z.string().default("ap-guangzhou"),
  TENCENT_SMS_ENDPOINT: z.string().default("https://sms.tencentcloudapi.com"),
  WECHAT_OAUTH_APP_ID: optionalString,
  WECHAT_OAUTH_APP_SECRET: optionalString,
  WECHAT_API_BASE: z.string().default("https://api.weixin.qq.com"),
  WECHAT_AUTHORIZE_BASE: z.string().default("https://open.weixin.qq.com"),
  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: bool,
  S3_PUBLIC_ENDPOINT: optionalString,
  DYUAPI_BASE_URL: z.string().default("https://api.dyuapi.com"),
  DYUAPI_API_KEY: optionalString,
  DYUAPI_MODELS: optionalString,
  ARK_BASE_URL: z.string().default("https://ark.cn-beijing.volces.com"),
  ARK_API_KEY: optionalString,
  DASHSCOPE_BASE_URL: z.string().default("https://dashscope.aliyuncs.com"),
  DASHSCOPE_API_KEY: optionalString,
  KLING_BASE_URL: z.string().default("https://api-beijing.klingai.com"),
  KLING_ACCESS_KEY: optionalString,
  KLING_SECRET_KEY: optionalString,
  MINIMAX_BASE_URL: z.string().default("https://api.minimaxi.com"),
  MINIMAX_API_KEY: optionalString,
  ARK_ENDPOINTS: optionalString,
  VENDOR_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  /** The simulated vendor (ffmpeg-rendered clips); on by default outside production. */
  SIMULATED_VENDOR: z.enum(["on", "off", ""]).optional(),
  SIMULATED_VENDOR_SECONDS: z.coerce.number().int().min(1).max(86_400).default(20),
  MODELS_DISABLED: z.string().default(""),
  MODEL_TIMEOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  /** Payment channels offered (comma list of wechat, alipay, sandbox); sandbox alone outside production. */
  PAY_CHANNELS: optionalString,
  /** Older name of PAY_CHANNELS, still read when PAY_CHANNELS is unset. */
  PAYMENT_CHANNELS: optionalString,
  WECHATPAY_BASE_URL: z.string().default("https://api.mch.weixin.qq.com"),
  WECHATPAY_MCH_ID: optionalString,
  WECHATPAY_APP_ID: optionalString,
  /** The 公众号 AppID for JSAPI (inside WeChat) and H5 pay; default WECHATPAY_APP_ID (APP pay's). */
  WECHATPAY_WEB_APP_ID: optionalString,
  WECHATPAY_API_V3_KEY: optionalString,
  WECHATPAY_MCH_SERIAL_NO: optionalString,
  WECHATPAY_PRIVATE_KEY: optionalString,
  WECHATPAY_PLATFORM_PUBLIC_KEY: optionalString,
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: optionalString,
  ALIPAY_APP_ID: optionalString,
  ALIPAY_PRIVATE_KEY: optionalString,
  ALIPAY_PUBLIC_KEY: optionalString,
  /** Our merchant PID (2088…): every notification's seller_id must equal it. */
  ALIPAY_SELLER_ID: optionalString,
  ALIPAY_GATEWAY: z.string().default("https://openapi.alipay.com/gateway.do"),
  /** Payout channels for withdrawals (comma list of alipay, wechat, bank_csv, sandbox); default sandbox outside production. */
  PAYOUT_CHANNELS: optionalString,
  /** WeChat 商家转账 scene (商户平台 → 转账场景); 1005 = 佣金报酬. */
  WECHATPAY_TRANSFER_SCENE_ID: z.string().default("1005"),
  /** AES-256-GCM key for withdrawal account details: 32 bytes as 64 hex chars or base64. Generated in DATA_DIR in development. */
  WITHDRAWAL_ACCOUNT_KEY: optionalString,
  /** Phones that hold the admin role (comma list). */
  ADMIN_PHONES: z.string().default(""),
  /** How much one admin may adjust a Shanghai day, in credits and in whole coins (absolute sums). */
  ADMIN_ADJUST_DAILY_CREDITS: z.coerce.number().int().min(0).default(10_000),
  ADMIN_ADJUST_DAILY_COINS: z.coerce.number().int().min(0).default(1_000),
  PAY_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  FFMPEG_PATH: optionalString,
  FFPROBE_PATH: optionalString,
  WATERMARK_FONT_FILE: optionalString,
  /** Extra sensitive words (comma list), added to the `sensitive_words` table's and the built-in seed. */
  SENSITIVE_WORDS: optionalString,
});

export type RawEnv = z.infer<typeof envSchema>;

export interface AppConfig extends RawEnv {
  isProduction: boolean;
  devToolsEnabled: boolean;
  jwtSecret: string;
  appSecret: string;
  dataDir: string;
  publicBaseUrl: string;
  simulatedVendor: boolean;
  paymentChannels: PaymentChannel[];
  payoutChannels: PayoutChannelName[];
  withdrawalAccountKey: Buffer;
  adminPhones: string[];
}

export type PayoutChannelName = "alipay" | "wechat" | "bank_csv" | "sandbox";
const PAYOUT_CHANNEL_NAMES: readonly PayoutChannelName[] = ["alipay", "wechat", "bank_csv", "sandbox"];

export type PaymentChannel = "wechat" | "alipay" | "sandbox";

export class ConfigError extends Error {}

/** Validates the environment once at boot. Secrets are required in production; in development a
 * random secret is generated once and kept in DATA_DIR so sessions survive restarts. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === "production";
  // Relative to where the user ran npm (npm runs workspace scripts inside the workspace folder).
  const dataDir = path.resolve(source.INIT_CWD ?? process.cwd(), env.DATA_DIR);
  if (isProduction) requireProductionSettings(env);
  const devSecret = isProduction ? "" : devSecretIn(dataDir);
  return {
    ...env,
    isProduction,
    devToolsEnabled: !isProduction,
    jwtSecret: env.JWT_SECRET ?? `${devSecret}:jwt`,
    appSecret: env.APP_SECRET ?? `${devSecret}:app`,
    dataDir,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    simulatedVendor: env.SIMULATED_VENDOR === "on" || (!isProduction && env.SIMULATED_VENDOR !== "off"),
    paymentChannels: paymentChannelsOf(env, isProduction),
    payoutChannels: payoutChannelsOf(env, isProduction),
    withdrawalAccountKey: env.WITHDRAWAL_ACCOUNT_KEY
      ? parseKey32(env.WITHDRAWAL_ACCOUNT_KEY, "WITHDRAWAL_ACCOUNT_KEY")
      : devKeyIn(dataDir, "withdrawal-account.key"),
    adminPhones: env.ADMIN_PHONES.split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  };
}

function payoutChannelsOf(env: RawEnv, isProduction: boolean): PayoutChannelName[] {
  const listed = (env.PAYOUT_CHANNELS ?? (isProduction ? "" : "sandbox"))
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = listed.filter((c) => !PAYOUT_CHANNEL_NAMES.includes(c as PayoutChannelName));
  if (unknown.length) throw new ConfigError(`PAYOUT_CHANNELS: unknown channel ${unknown.join(", ")}`);
  return listed as PayoutChannelName[];
}

/** A 32-byte key given as 64 hex characters or base64. */
export function parseKey32(text: string, name: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) throw new ConfigError(`${name} must be 32 bytes (64 hex characters or base64)`);
  return key;
}

const SMS_SETTINGS = {
  aliyun: [
    "ALIYUN_SMS_ACCESS_KEY_ID",
    "ALIYUN_SMS_ACCESS_KEY_SECRET",
    "ALIYUN_SMS_SIGN_NAME",
    "ALIYUN_SMS_TEMPLATE_CODE",
  ],
  tencent: [
    "TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME",
    "TENCENT_SMS_TEMPLATE_ID",
  ],
} as const satisfies Record<string, (keyof RawEnv)[]>;

const PAYMENT_SETTINGS = {
  wechat: [
    "WECHATPAY_MCH_ID",
    "WECHATPAY_APP_ID",
    "WECHATPAY_API_V3_KEY",
    "WECHATPAY_MCH_SERIAL_NO",
    "WECHATPAY_PRIVATE_KEY",
    "WECHATPAY_PLATFORM_PUBLIC_KEY",
    "WECHATPAY_PLATFORM_PUBLIC_KEY_ID",
  ],
  alipay: ["ALIPAY_APP_ID", "ALIPAY_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "ALIPAY_SELLER_ID"],
} as const satisfies Record<string, (keyof RawEnv)[]>;

const VENDOR_KEYS = [
  "DYUAPI_API_KEY",
  "ARK_API_KEY",
  "DASHSCOPE_API_KEY",
  "KLING_SECRET_KEY",
  "MINIMAX_API_KEY",
] as const;

function paymentChannelsOf(env: RawEnv, isProduction: boolean): PaymentChannel[] {
  const listed = (env.PAY_CHANNELS ?? env.PAYMENT_CHANNELS ?? (isProduction ? "" : "sandbox"))
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = listed.filter((c) => !["wechat", "alipay", "sandbox"].includes(c));
  if (unknown.length) throw new ConfigError(`PAY_CHANNELS: unknown channel ${unknown.join(", ")}`);
  return listed as PaymentChannel[];
}

/**
 * Production refuses to boot on anything made for development: every problem is listed at once, each
 * naming the variable to set, so a deployment is fixed in one round.
 */
function requireProductionSettings(env: RawEnv): void {
  const problems: string[] = [];
  const missing = (keys: readonly (keyof RawEnv)[]) => keys.filter((k) => !env[k]);
  for (const key of missing(["JWT_SECRET", "APP_SECRET", "DATABASE_URL", "PUBLIC_BASE_URL"])) {
    problems.push(`${key} is required`);
  }
  if (env.JWT_SECRET && env.JWT_SECRET.length < 32)
    problems.push("JWT_SECRET must be at least 32 characters");
  if (env.SMS_PROVIDER === "console") {
    problems.push("SMS_PROVIDER=console prints codes to the log: set SMS_PROVIDER=aliyun or tencent");
  } else {
    for (const key of missing(SMS_SETTINGS[env.SMS_PROVIDER])) {
      problems.push(`${key} is required for SMS_PROVIDER=${env.SMS_PROVIDER}`);
    }
  }
  if (!env.KLING_ACCESS_KEY !== !env.KLING_SECRET_KEY)
    problems.push("KLING_ACCESS_KEY and KLING_SECRET_KEY: set both (Kling signs its tokens with the pair)");
  if (!VENDOR_KEYS.some((k) => env[k])) {
    problems.push(
      `no video vendor: set one of ${VENDOR_KEYS.join(", ")} (the simulated vendor cannot be the only one)`,
    );
  }
  const channels = paymentChannelsOf(env, true);
  if (channels.includes("sandbox"))
    problems.push("PAY_CHANNELS must not include sandbox in production (it grants purchases without money)");
  const real = channels.filter((c): c is "wechat" | "alipay" => c !== "sandbox");
  if (real.length === 0) problems.push("PAY_CHANNELS is required: wechat, alipay or both");
  for (const channel of real) {
    for (const key of missing(PAYMENT_SETTINGS[channel])) {
      problems.push(`${key} is required for the ${channel} payment channel`);
    }
  }
  const payouts = payoutChannelsOf(env, true);
  if (payouts.includes("sandbox"))
    problems.push(
      "PAYOUT_CHANNELS must not include sandbox in production (it marks withdrawals paid without money)",
    );
  if (payouts.length === 0) problems.push("PAYOUT_CHANNELS is required: alipay, wechat and/or bank_csv");
  if (payouts.includes("alipay"))
    for (const key of missing(PAYMENT_SETTINGS.alipay))
      problems.push(`${key} is required for the alipay payout channel`);
  if (payouts.includes("wechat"))
    for (const key of missing(PAYMENT_SETTINGS.wechat))
      problems.push(`${key} is required for the wechat payout channel`);
  if (!env.WITHDRAWAL_ACCOUNT_KEY)
    problems.push("WITHDRAWAL_ACCOUNT_KEY is required (32 bytes, hex or base64)");
  else if (!isKey32(env.WITHDRAWAL_ACCOUNT_KEY)) problems.push("WITHDRAWAL_ACCOUNT_KEY must be 32 bytes");
  if (problems.length) {
    throw new ConfigError(`refusing to start in production:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function isKey32(text: string): boolean {
  try {
    parseKey32(text, "key");
    return true;
  } catch {
    return false;
  }
}

/** A random 32-byte key kept in DATA_DIR (development only: production must set it in env). */
function devKeyIn(dataDir: string, name: string): Buffer {
  const file = path.join(dataDir, name);
  let existing: string | null = null;
  try {
    existing = readFileSync(file, "utf8").trim();
  } catch {}
  // An unreadable key must stop the boot, never be replaced: the sealed accounts need it.
  if (existing !== null) return parseKey32(existing, file);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex"), { mode: 0o600 });
  return key;
}

function devSecretIn(dataDir: string): string {
  const file = path.join(dataDir, ".dev-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString("hex");
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
