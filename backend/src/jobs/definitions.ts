import { z } from "zod";

/** Every job name and its payload. A job without exactly one registered handler stops startup. */
export const jobPayloads = {
  /** Delivers one SMS code; the code travels sealed (AES-GCM) so it never sits in plain text. */
  "sms.deliver": z.object({ smsId: z.string(), phone: z.string(), sealed: z.string() }),
  /** Proves the ledger: every account equals its postings and every asset sums to zero. */
  "ledger.reconcile": z.object({}),
};

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];

/** Cron schedules, evaluated in Asia/Shanghai (croner / BullMQ job-scheduler syntax with seconds). */
export const schedules: { name: JobName; pattern: string }[] = [
  { name: "ledger.reconcile", pattern: "0 30 3 * * *" },
];
