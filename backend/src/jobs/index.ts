import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import { BullmqRunner } from "./bullmq.js";
import { InProcessRunner } from "./in-process.js";
import type { JobRegistry } from "./registry.js";
import type { JobRunner } from "./types.js";

export { type JobName, type JobPayload, jobNames, schedules } from "./definitions.js";
export { type JobHandler, type JobOutcome, JobRegistry } from "./registry.js";
export { enqueue } from "./repository.js";
export type { JobRunner, RunnerRoles } from "./types.js";

export interface RunnerOptions {
  redisUrl?: string;
  queuePrefix: string;
  pollMs?: number;
  leaseMs?: number;
}

/** BullMQ when Redis is configured, otherwise the in-process runner over the same outbox. */
export function createRunner(
  db: Db,
  registry: JobRegistry,
  log: FastifyBaseLogger,
  opts: RunnerOptions,
): JobRunner {
  registry.assertComplete();
  return opts.redisUrl
    ? new BullmqRunner(db, registry, log, opts.redisUrl, opts.queuePrefix, {
        pollMs: opts.pollMs,
        leaseMs: opts.leaseMs,
      })
    : new InProcessRunner(db, registry, log, { pollMs: opts.pollMs, leaseMs: opts.leaseMs });
}
