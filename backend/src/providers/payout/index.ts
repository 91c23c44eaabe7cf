import type { WithdrawalMethod } from "@skyriff/contracts";
import type { AppConfig } from "../../config/env.js";
import { AlipayPayoutProvider } from "./alipay.js";
import { BankCsvPayoutProvider } from "./bank-csv.js";
import { SandboxPayoutProvider } from "./sandbox.js";
import type { PayoutChannel, PayoutProvider } from "./types.js";
import { type WechatPayoutOptions, WechatPayoutProvider } from "./wechat.js";

export { type AlipayPayoutOptions, AlipayPayoutProvider, DEFINITIVE_SUB_CODES } from "./alipay.js";
export { type BankBatchRow, BankCsvPayoutProvider, bankBatchCsv, csvCell, yuanOfFen } from "./bank-csv.js";
export { SANDBOX_GATEWAY_PREFIX, SandboxPayoutProvider } from "./sandbox.js";
export * from "./types.js";
export {
  DEFAULT_TRANSFER_SCENE_ID,
  type TransferSceneReportInfo,
  USER_NAME_REQUIRED_FROM_FEN,
  type WechatPayoutOptions,
  WechatPayoutProvider,
} from "./wechat.js";

export interface PayoutChannelOptions {
  /** Scene settings of the WeChat 商家转账 (default scene 1005 佣金报酬). */
  wechat?: Pick<WechatPayoutOptions, "transferSceneId" | "sceneReportInfos" | "userRecvPerception">;
  alipayOrderTitle?: string;
}

/** One provider per offered channel; a gateway whose settings are missing throws, naming them. */
export function createPayoutChannels(
  config: AppConfig,
  channels: readonly PayoutChannel[],
  opts: PayoutChannelOptions = {},
): Map<PayoutChannel, PayoutProvider> {
  if (config.isProduction && channels.includes("sandbox"))
    throw new Error("the sandbox payout channel pays nobody: it is refused in production");
  const providers = new Map<PayoutChannel, PayoutProvider>();
  for (const channel of new Set(channels)) providers.set(channel, providerFor(channel, config, opts));
  return providers;
}

function providerFor(channel: PayoutChannel, config: AppConfig, opts: PayoutChannelOptions): PayoutProvider {
  switch (channel) {
    case "alipay":
      return AlipayPayoutProvider.fromConfig(
        config,
        opts.alipayOrderTitle ? { orderTitle: opts.alipayOrderTitle } : {},
      );
    case "wechat":
      return WechatPayoutProvider.fromConfig(config, opts.wechat);
    case "bank_csv":
      return new BankCsvPayoutProvider();
    case "sandbox":
      return new SandboxPayoutProvider();
  }
}

const PREFERRED: Record<WithdrawalMethod, PayoutChannel> = {
  alipay: "alipay",
  wechat: "wechat",
  bank_card: "bank_csv",
};

/** The channel that pays a withdrawal method: its own gateway, else the sandbox, else null. */
export function payoutChannelFor(
  method: WithdrawalMethod,
  available: ReadonlyMap<PayoutChannel, PayoutProvider>,
): PayoutChannel | null {
  const preferred = PREFERRED[method];
  if (available.has(preferred)) return preferred;
  return available.has("sandbox") ? "sandbox" : null;
}
