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

/** One queue's job counts, as the admin overview shows them (the outbox: one per job name). */
export interface QueueCounts {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** A job that failed: given up, or waiting for its next try. */
export interface JobFailure {
  jobId: string;
  name: string;
  attempts: number;
  error: string;
  at: Date;
}
