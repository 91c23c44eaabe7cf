import { Cron } from "croner";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import { SHANGHAI_TZ } from "../lib/time.js";
import { type JobName, type JobPayload, schedules } from "./definitions.js";
import { recordOutcomes, runOutboxJob } from "./execute.js";
import type { JobRegistry } from "./registry.js";
import { claimDue, enqueue, extendLeases, type OutboxStore, outboxStore } from "./repository.js";
import { SerialLoop } from "./serial-loop.js";
import { DEFAULT_LEASE_MS, type JobRunner, type RunnerRoles } from "./types.js";

export interface InProcessOptions {
  pollMs?: number;
  concurrency?: number;
  /** How long a claim lasts without a heartbeat (default 60 s). */
  leaseMs?: number;
  store?: OutboxStore;
}

/** Embedded mode: the outbox table is the queue; this process claims and runs due jobs. */
export class InProcessRunner implements JobRunner {
  readonly kind = "in-process" as const;
  private timers: NodeJS.Timeout[] = [];
  private crons: Cron[] = [];
  private readonly loop: SerialLoop;
  private readonly running = new Set<string>();
  private readonly leaseMs: number;
  private started = false;
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly registry: JobRegistry,
    private readonly log: FastifyBaseLogger,
    private readonly opts: InProcessOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.loop = new SerialLoop(() => this.drain(), log, "outbox drain");
  }

  async start(roles: RunnerRoles): Promise<void> {
    if (!roles.work) return;
    this.started = true;
    // The poll also picks up claims whose lease ran out, so a job of a dead process runs within a lease.
    this.every(this.opts.pollMs ?? 1000, () => this.kick());
    this.every(Math.max(100, Math.floor(this.leaseMs / 3)), () => this.heartbeat());
    if (roles.schedule) this.crons = schedules.map((s) => this.schedule(s.name, s.pattern));
    this.kick();
  }

  kick(): void {
    if (this.started) this.loop.kick();
  }

  /** Resolves once no due job is left (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    this.kick();
    await this.loop.settled();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    for (const c of this.crons) c.stop();
    await this.loop.stop();
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private heartbeat(): void {
    extendLeases(this.db, [...this.running], this.leaseMs).catch((err) =>
      this.log.warn({ err }, "could not extend job leases"),
    );
  }

  private async drain(): Promise<void> {
    const batch = this.opts.concurrency ?? 4;
    for (;;) {
      const rows = await claimDue(this.db, batch, this.leaseMs);
      if (rows.length === 0) return;
      for (const row of rows) this.running.add(row.id);
      try {
        const outcomes = await Promise.all(rows.map((row) => runOutboxJob(this.registry, row, this.log)));
        await recordOutcomes(this.db, outcomes, this.log, this.opts.store ?? outboxStore);
      } finally {
        for (const row of rows) this.running.delete(row.id);
      }
      if (this.stopping) return;
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
