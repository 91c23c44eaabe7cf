export interface RunnerRoles {
  /** Move outbox rows to the queue (BullMQ) or run them (in-process). */
  dispatch: boolean;
  /** Execute jobs. */
  work: boolean;
  /** Fire cron schedules. */
  schedule: boolean;
}

export interface JobRunner {
  readonly kind: "in-process" | "bullmq";
  start(roles: RunnerRoles): Promise<void>;
  /** Called after a commit that wrote outbox rows, so they run without waiting for the next poll. */
  kick(): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
  ping?(): Promise<void>;
}

/** A claimed outbox row is the claimer's for this long unless it heartbeats (then it runs again). */
export const DEFAULT_LEASE_MS = 60_000;
