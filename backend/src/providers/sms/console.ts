/**
 * Development SMS provider: prints the code to the log so a person can log in with nothing configured,
 * and keeps the most recent messages in memory (for a dev-only outbox endpoint).
 */
import { mainlandNumber, maskPhone, type SmsProvider } from "./types.js";

export interface SmsLogger {
  info(obj: object, msg: string): void;
}

export interface ConsoleSmsMessage {
  /** Normalised 11-digit number. */
  phone: string;
  code: string;
  ttlMinutes: number;
  sentAt: Date;
}

export interface ConsoleSmsProvider extends SmsProvider {
  readonly name: "console";
  /** Most recent messages first; only those to `phone` when given. */
  sent(phone?: string): ConsoleSmsMessage[];
}

export interface ConsoleSmsOptions {
  /** Called after each message is logged (e.g. to persist a dev outbox shared across processes). */
  onSend?: (message: ConsoleSmsMessage) => void;
  /** How many messages `sent()` keeps, default 200. */
  keep?: number;
  now?: () => Date;
}

export function createConsoleSmsProvider(log: SmsLogger, opts: ConsoleSmsOptions = {}): ConsoleSmsProvider {
  const keep = opts.keep ?? 200;
  const now = opts.now ?? (() => new Date());
  const outbox: ConsoleSmsMessage[] = [];

  return {
    name: "console",
    async sendCode({ phone, code, ttlMinutes }) {
      const message: ConsoleSmsMessage = { phone: mainlandNumber(phone), code, ttlMinutes, sentAt: now() };
      const masked = maskPhone(phone);
      log.info({ provider: "console", phone: masked, code, ttlMinutes }, `SMS code for ${masked}: ${code}`);
      outbox.unshift(message);
      if (outbox.length > keep) outbox.length = keep;
      opts.onSend?.(message);
      return { ok: true, providerMessageId: null };
    },
    sent(phone) {
      if (phone === undefined) return outbox.slice();
      const wanted = mainlandNumber(phone);
      return outbox.filter((m) => m.phone === wanted);
    },
  };
}
