import { type AppConfig, ConfigError } from "../../config/env.js";
import { createAliyunSmsProvider } from "./aliyun.js";
import { type ConsoleSmsOptions, createConsoleSmsProvider, type SmsLogger } from "./console.js";
import { createTencentSmsProvider } from "./tencent.js";
import type { SmsProvider } from "./types.js";

export { type AliyunSmsOptions, createAliyunSmsProvider } from "./aliyun.js";
export {
  type ConsoleSmsMessage,
  type ConsoleSmsOptions,
  type ConsoleSmsProvider,
  createConsoleSmsProvider,
  type SmsLogger,
} from "./console.js";
export { createTencentSmsProvider, type TencentSmsOptions } from "./tencent.js";
export * from "./types.js";

type SmsConfig = Pick<
  AppConfig,
  | "SMS_PROVIDER"
  | "ALIYUN_SMS_ACCESS_KEY_ID"
  | "ALIYUN_SMS_ACCESS_KEY_SECRET"
  | "ALIYUN_SMS_SIGN_NAME"
  | "ALIYUN_SMS_TEMPLATE_CODE"
  | "ALIYUN_SMS_ENDPOINT"
  | "TENCENT_SMS_SECRET_ID"
  | "TENCENT_SMS_SECRET_KEY"
  | "TENCENT_SMS_SDK_APP_ID"
  | "TENCENT_SMS_SIGN_NAME"
  | "TENCENT_SMS_TEMPLATE_ID"
  | "TENCENT_SMS_REGION"
  | "TENCENT_SMS_ENDPOINT"
>;

export interface CreateSmsProviderOptions {
  /** Passed to the console provider (ignored by the real ones). */
  console?: ConsoleSmsOptions;
  /** Per-request timeout for the real providers, default 5000 ms. */
  timeoutMs?: number;
}

function required<K extends keyof SmsConfig>(config: SmsConfig, provider: string, keys: K[]): void {
  const missing = keys.filter((k) => !config[k]);
  if (missing.length) {
    throw new ConfigError(`SMS_PROVIDER=${provider} needs ${missing.join(", ")}`);
  }
}

/** Picks the provider named by `SMS_PROVIDER`; throws `ConfigError` when its credentials are missing. */
export function createSmsProvider(
  config: SmsConfig,
  log: SmsLogger,
  opts: CreateSmsProviderOptions = {},
): SmsProvider {
  switch (config.SMS_PROVIDER) {
    case "aliyun":
      required(config, "aliyun", [
        "ALIYUN_SMS_ACCESS_KEY_ID",
        "ALIYUN_SMS_ACCESS_KEY_SECRET",
        "ALIYUN_SMS_SIGN_NAME",
        "ALIYUN_SMS_TEMPLATE_CODE",
      ]);
      return createAliyunSmsProvider({
        accessKeyId: config.ALIYUN_SMS_ACCESS_KEY_ID ?? "",
        accessKeySecret: config.ALIYUN_SMS_ACCESS_KEY_SECRET ?? "",
        signName: config.ALIYUN_SMS_SIGN_NAME ?? "",
        templateCode: config.ALIYUN_SMS_TEMPLATE_CODE ?? "",
        endpoint: config.ALIYUN_SMS_ENDPOINT,
        timeoutMs: opts.timeoutMs,
      });
    case "tencent":
      required(config, "tencent", [
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
        "TENCENT_SMS_TEMPLATE_ID",
      ]);
      return createTencentSmsProvider({
        secretId: config.TENCENT_SMS_SECRET_ID ?? "",
        secretKey: config.TENCENT_SMS_SECRET_KEY ?? "",
        sdkAppId: config.TENCENT_SMS_SDK_APP_ID ?? "",
        signName: config.TENCENT_SMS_SIGN_NAME ?? "",
        templateId: config.TENCENT_SMS_TEMPLATE_ID ?? "",
        region: config.TENCENT_SMS_REGION,
        endpoint: config.TENCENT_SMS_ENDPOINT,
        timeoutMs: opts.timeoutMs,
      });
    default:
      return createConsoleSmsProvider(log, opts.console);
  }
}
