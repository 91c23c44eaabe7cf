import type { PayChannel } from "@skyriff/contracts";
import type { AppConfig } from "../../config/env.js";
import type { Db } from "../../db/client.js";
import { AlipayProvider } from "./alipay.js";
import { type NotifyDelivery, SandboxGateway, SandboxPayProvider, sandboxKeysIn } from "./sandbox.js";
import type { PayProvider } from "./types.js";
import { WechatPayProvider } from "./wechat.js";

export { type NotifyDelivery, SANDBOX_PAY_PREFIX, SandboxGateway } from "./sandbox.js";
export { sandboxCashierPlugin } from "./sandbox-cashier.js";
export * from "./types.js";

export interface PayChannels {
  providers: Map<PayChannel, PayProvider>;
  /** The sandbox gateway when the sandbox channel is offered (never in production). */
  sandbox: SandboxGateway | null;
  /** How the sandbox gateway reaches our callback (the server replaces it with an in-process call). */
  deliver: NotifyDelivery;
}

const fetchDelivery: NotifyDelivery = async (url, headers, body) => {
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
};

/** One provider per configured channel (PAY_CHANNELS); the settings were checked at boot. */
export function createPayChannels(config: AppConfig, db: Db, now: () => Date): PayChannels {
  const providers = new Map<PayChannel, PayProvider>();
  let sandbox: SandboxGateway | null = null;
  for (const channel of config.paymentChannels) {
    if (channel === "wechat") providers.set(channel, WechatPayProvider.fromConfig(config));
    if (channel === "alipay") providers.set(channel, AlipayProvider.fromConfig(config));
    if (channel === "sandbox") {
      const keys = sandboxKeysIn(config.dataDir);
      providers.set(channel, new SandboxPayProvider(db, keys));
      sandbox = new SandboxGateway(db, keys, now);
    }
  }
  return { providers, sandbox, deliver: fetchDelivery };
}
