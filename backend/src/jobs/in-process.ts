import { Cron } from "croner";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import { SHANGHAI_TZ } from "../lib/time.js";
import { type JobName, type JobPayload, schedules } from "./definitions.js";
import { executeOutboxJob } from "./execute.js";
import type { JobRegistry } from "./registry.js";
import { claimDue, enqueue, releaseStale } from "./repository.js";
import type { JobRunner, RunnerRoles } from "./types.js";

const STALE_AFTER_MS = 10 * 60_000;

/** Embedded mode: the outbox table is the queue; this process claims and runs due jobs. */
export class InProcessRunner implements JobRunner {
  readonly kind = "in-process" as const;
  private timer: NodeJS.Timeout | null = null;
  private crons: Cron[] = [];
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly registry: JobRegistry,
    private readonly log: FastifyBaseLogger,
    private readonly opts: { pollMs?: number; concurrency?: number } = {},
  ) {}

  async start(roles: RunnerRoles): Promise<void> {
    if (!roles.work) return;
    await releaseStale(this.db, STALE_AFTER_MS);
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    if (roles.schedule) this.crons = schedules.map((s) => this.schedule(s.name, s.pattern));
    this.kick();
  }

  kick(): void {
    if (this.stopped || !this.timer) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err) => this.log.error({ err }, "outbox drain failed"))
      .finally(() => {
        this.draining = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no due job is left (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    this.kick();
    // A drain that ends with `again` set starts the next one itself: wait until none is running.
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.crons) c.stop();
    await this.draining;
  }

  private async drain(): Promise<void> {
    const batch = this.opts.concurrency ?? 4;
    for (;;) {
      const rows = await claimDue(this.db, batch);
      if (rows.length === 0) return;
      await Promise.all(rows.map((row) => executeOutboxJob(this.db, this.registry, row, this.log)));
      if (this.stopped) return;
    }
  }

  private schedule(name: JobName, pattern: string): Cron {
    return new Cron(pattern, { timezone: SHANGHAI_TZ, protect: true }, async (self: Cron) => {
      const slot = (self.currentRun() ?? new Date()).toISOString();
      // A deterministic id: several processes firing the same slot enqueue it once.
      await enqueue(this.db, name, {} as JobPayload<typeof name>, { id: `cron-${name}-${slot}` });
      this.kick();
    });
  }
}
