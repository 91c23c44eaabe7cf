import { z } from "zod";

/** Every job name and its payload. A job without exactly one registered handler stops startup. */
export const jobPayloads = {
  /** Delivers one SMS code; the code travels sealed (AES-GCM) so it never sits in plain text. */
  "sms.deliver": z.object({ smsId: z.string(), phone: z.string(), sealed: z.string() }),
  /** Proves the ledger: every account equals its postings and every asset sums to zero. */
  "ledger.reconcile": z.object({}),
  /** Fills the admin dashboard's rollup with the day that just became final (and any missing one). */
  "admin.daily_stats": z.object({}),
  /** Hands a new task to its vendor (outside any DB transaction). */
  "generation.submit": z.object({ taskId: z.string() }),
  /** Polls every task whose next poll is due (young tasks every 5 s, older ones up to 30 s). */
  "generation.poll_sweep": z.object({}),
  /** Copies the finished video into storage, renders the play copy and thumbnail, completes the task. */
  "generation.media": z.object({ taskId: z.string() }),
  /** Fails and refunds tasks stuck past their model's timeout. */
  "generation.timeout_sweep": z.object({}),
  /** Deletes finished outbox rows older than a day. */
  "jobs.cleanup": z.object({}),
  /** Writes new numbered ranking snapshots of the discover and hot feeds (ARCHITECTURE §6b). */
  "feed.refresh": z.object({}),
  /** Recomputes work_stats / user_stats counters (likes, favorites, follows, works) from the rows. */
  "community.recount": z.object({}),
  /** Asks the gateways about still-pending payments: fulfils paid ones whose callback was lost, closes expired ones. */
  "payments.query_pending": z.object({}),
  /** Marks monthly cards past their last day as expired. */
  "subscriptions.expire": z.object({}),
  /** 00:00 Shanghai: assigns the day's three tasks to recently active users (others get them on first touch). */
  "taskcenter.assign_daily": z.object({}),
  /** Hourly safety net: releases every matured pending lot not released yet (each its own transaction). */
  "coins.release": z.object({}),
  /** Releases one lot at its unlock time (enqueued with the lot). */
  "coins.release_lot": z.object({ postingId: z.string() }),
  /** Sends an approved withdrawal's transfer to its payout channel. */
  "withdrawals.payout": z.object({ withdrawalId: z.string() }),
  /** Asks the payout gateways about transfers still in progress (or whose answer was lost). */
  "withdrawals.query_payouts": z.object({}),
  /** 1st of the month, 00:00 Shanghai: the second-level commission (0.1 %) of the previous month. */
  "promoter.monthly_commission": z.object({}),
  /**
   * Every minute: cancels and refunds published orders past their deadline, tells both sides when an
   * awarded order passes its deadline undelivered, cancels a pending cancel request once the deadline
   * passed, and accepts delivered orders 7 days after delivery.
   */
  "orders.deadlines": z.object({}),
};

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];

/** Cron schedules, evaluated in Asia/Shanghai (croner / BullMQ job-scheduler syntax with seconds). */
export const schedules: { name: JobName; pattern: string }[] = [
  { name: "ledger.reconcile", pattern: "0 30 3 * * *" },
  { name: "admin.daily_stats", pattern: "0 10 0 * * *" },
  { name: "generation.poll_sweep", pattern: "*/5 * * * * *" },
  { name: "generation.timeout_sweep", pattern: "0 * * * * *" },
  { name: "jobs.cleanup", pattern: "0 15 * * * *" },
  { name: "feed.refresh", pattern: "0 * * * * *" },
  { name: "community.recount", pattern: "0 45 4 * * *" },
  { name: "payments.query_pending", pattern: "*/30 * * * * *" },
  { name: "subscriptions.expire", pattern: "0 5 0 * * *" },
  { name: "taskcenter.assign_daily", pattern: "0 0 0 * * *" },
  { name: "coins.release", pattern: "0 7 * * * *" },
  { name: "withdrawals.query_payouts", pattern: "0 * * * * *" },
  { name: "promoter.monthly_commission", pattern: "0 0 0 1 * *" },
  { name: "orders.deadlines", pattern: "30 * * * * *" },
];
