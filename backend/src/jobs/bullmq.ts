import { Queue, Worker } from "bullmq";
import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import type { Db } from "../db/client.js";
import { SHANGHAI_TZ } from "../lib/time.js";
import { schedules } from "./definitions.js";
import type { JobRegistry } from "./registry.js";
import { claimDue, complete, reschedule } from "./repository.js";
import { SerialLoop } from "./serial-loop.js";
import {
  DEFAULT_LEASE_MS,
  type JobFailure,
  type JobRunner,
  type QueueCounts,
  type RunnerRoles,
} from "./types.js";

const QUEUE_NAME = "jobs";

/** Production mode: the outbox is drained into BullMQ (jobId = outbox id); workers run the handlers. */
export class BullmqRunner implements JobRunner {
  readonly kind = "bullmq" as const;
  private readonly connection: Redis;
  /** The BullMQ queue (the admin's bull-board shows it). */
  readonly queue: Queue;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly loop: SerialLoop;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Db,
    private readonly registry: JobRegistry,
    private readonly log: FastifyBaseLogger,
    redisUrl: string,
    private readonly prefix: string,
    private readonly opts: { pollMs?: number; concurrency?: number; leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.loop = new SerialLoop(() => this.dispatch(), log, "outbox dispatch");
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    this.connection.on("error", (err) => this.log.warn({ err }, "redis connection error"));
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection, prefix });
    // Without a listener, an 'error' BullMQ emits (e.g. its version check cut short by stop()) is thrown
    // from a promise callback and becomes an unhandled rejection.
    this.queue.on("error", (err) => this.log.warn({ err }, "bullmq queue error"));
  }

  async start(roles: RunnerRoles): Promise<void> {
    if (roles.dispatch) {
      // The poll also re-claims rows whose dispatcher died between claiming and handing them over.
      this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
      this.timer.unref();
      this.kick();
    }
    if (roles.schedule) await this.upsertSchedules();
    if (roles.work) this.startWorker();
  }

  kick(): void {
    if (this.timer) this.loop.kick();
  }

  /** Resolves when the outbox is handed over and BullMQ has nothing waiting or running. */
  async idle(): Promise<void> {
    for (;;) {
      this.kick();
      await this.loop.settled();
      const counts = await this.queue.getJobCounts("waiting", "active", "prioritized");
      const running = Object.values(counts).reduce((a, b) => a + b, 0);
      // A cron scheduler always keeps its next run delayed; only retries count as pending work.
      const retries = (await this.queue.getDelayed()).filter((job) => !job.repeatJobKey).length;
      if (running + retries === 0 && !this.loop.pending) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The queue's job counts (waiting includes prioritized, paused and waiting-for-children jobs). */
  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts(
      "waiting",
      "prioritized",
      "paused",
      "waiting-children",
      "active",
      "delayed",
      "failed",
      "completed",
    );
    const n = (state: string) => c[state] ?? 0;
    return {
      name: QUEUE_NAME,
      waiting: n("waiting") + n("prioritized") + n("paused") + n("waiting-children"),
      active: n("active"),
      delayed: n("delayed"),
      failed: n("failed"),
      completed: n("completed"),
    };
  }

  /** The latest failures: jobs that gave up, and retries waiting for their next attempt. */
  async recentFailures(limit: number): Promise<JobFailure[]> {
    const [failed, delayed] = await Promise.all([
      this.queue.getFailed(0, limit - 1),
      this.queue.getDelayed(0, 199),
    ]);
    const retrying = delayed.filter((job) => job.attemptsMade > 0 && job.failedReason);
    return [...failed, ...retrying]
      .map((job) => ({
        jobId: job.id ?? "",
        name: job.name,
        attempts: job.attemptsMade,
        error: job.failedReason ?? "",
        at: new Date(job.finishedOn ?? job.processedOn ?? job.timestamp),
      }))
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.loop.stop();
    await this.closeWorker();
    // BullMQ leaves a connection it was handed open; the worker's is ours to close.
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.queue.waitUntilReady().catch(() => undefined);
    await this.queue.close();
    // quit() lets commands already sent be answered; disconnect() would reject them.
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  /**
   * Removes every key under this runner's prefix (test isolation). Stops dispatching and lets running
   * jobs finish first, so no worker is left holding a job whose keys are gone.
   */
  async obliterate(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.loop.stop();
    await this.closeWorker();
    await this.queue.obliterate({ force: true });
  }

  /**
   * A worker closed while its connections are still opening disconnects them under its own pending
   * commands, one of which can then reject with "Connection is closed" where nothing catches it
   * (bullmq#2437, #3546: an app started and stopped at once, as tests do). Let it finish opening first.
   */
  private async closeWorker(): Promise<void> {
    await this.worker?.waitUntilReady().catch(() => undefined);
    await this.worker?.close();
  }

  private async dispatch(): Promise<void> {
    for (;;) {
      const rows = await claimDue(this.db, 100, this.leaseMs);
      if (rows.length === 0) return;
      try {
        await this.queue.addBulk(
          rows.map((row) => {
            const { attempts, backoffMs } = this.registry.options(row.job_name as never);
            return {
              name: row.job_name,
              data: row.payload,
              opts: {
                jobId: row.id,
                attempts,
                backoff: { type: "exponential", delay: backoffMs },
                removeOnComplete: { count: 1000 },
                removeOnFail: { count: 5000 },
              },
            };
          }),
        );
        // If this fails, the rows' leases run out and a dispatcher adds them again under the same jobId,
        // which BullMQ ignores while it still knows the job.
        await complete(
          this.db,
          rows.map((row) => ({ id: row.id, attempt: row.attempts })),
        );
      } catch (err) {
        this.log.warn({ err }, "could not hand jobs to BullMQ; will retry");
        await Promise.all(
          rows.map((row) =>
            reschedule(this.db, row.id, row.attempts, new Date(Date.now() + 1000), String(err)),
          ),
        );
        return;
      }
    }
  }

  private startWorker(): void {
    this.workerConnection = this.connection.duplicate();
    this.workerConnection.on("error", (err) => this.log.warn({ err }, "redis connection error"));
    this.worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        const log = this.log.child({ job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 });
        const outcome = await this.registry.run(job.name, job.data, {
          jobId: job.id ?? "",
          attempt: job.attemptsMade + 1,
          log,
        });
        if (outcome.status === "failed") log.warn({ detail: outcome.detail }, "job failed");
        return outcome;
      },
      {
        connection: this.workerConnection,
        prefix: this.prefix,
        concurrency: this.opts.concurrency ?? 8,
      },
    );
    this.worker.on("error", (err) => this.log.warn({ err }, "bullmq worker error"));
    this.worker.on("failed", (job, err) => this.log.warn({ err, jobId: job?.id }, "job attempt failed"));
  }

  private async upsertSchedules(): Promise<void> {
    for (const s of schedules) {
      await this.queue.upsertJobScheduler(
        `cron-${s.name}`,
        { pattern: s.pattern, tz: SHANGHAI_TZ },
        { name: s.name, data: {}, opts: { attempts: 3 } },
      );
    }
  }
}
