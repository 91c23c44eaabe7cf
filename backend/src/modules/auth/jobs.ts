import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { newId } from "../../lib/ids.js";
import { unseal } from "../../lib/seal.js";
import { maskPhone } from "../users/present.js";
import { insertDevSms } from "./repository.js";
import { SMS_SEAL_PURPOSE } from "./service.js";
import { CODE_TTL_SECONDS } from "./sms-codes.js";

export function registerAuthJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register(
    "sms.deliver",
    async ({ phone, sealed }, { log }) => {
      const code = unseal(ctx.config.appSecret, SMS_SEAL_PURPOSE, sealed);
      const outcome = await ctx.sms.sendCode({ phone, code, ttlMinutes: CODE_TTL_SECONDS / 60 });
      if (outcome.ok) {
        if (ctx.sms.name === "console" && ctx.config.devToolsEnabled) {
          await insertDevSms(ctx.db, {
            id: newId(),
            phone,
            code,
            provider: ctx.sms.name,
            createdAt: ctx.clock.now(),
          });
        }
        return { status: "done" };
      }
      if (outcome.retryable) throw new Error(`sms ${ctx.sms.name} to ${maskPhone(phone)}: ${outcome.error}`);
      log.warn(
        { provider: ctx.sms.name, reason: outcome.reason, providerCode: outcome.providerCode },
        "sms refused",
      );
      return { status: "failed", detail: outcome.error };
    },
    { attempts: 4, backoffMs: 3000 },
  );
}
