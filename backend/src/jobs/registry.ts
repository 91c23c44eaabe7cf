import type { FastifyBaseLogger } from "fastify";
import { type JobName, type JobPayload, jobNames, jobPayloads } from "./definitions.js";

export interface JobOutcome {
  status: "done" | "skipped" | "failed";
  detail?: string;
}

export interface JobContext {
  jobId: string;
  attempt: number;
  log: FastifyBaseLogger;
}

/** Handlers return an outcome for expected results and throw only for transient errors (retried). */
export type JobHandler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<JobOutcome>;

export interface JobOptions {
  attempts: number;
  backoffMs: number;
}

interface Entry {
  handler: JobHandler<JobName>;
  options: JobOptions;
}

const defaultOptions: JobOptions = { attempts: 5, backoffMs: 2000 };

export class JobRegistry {
  private readonly entries = new Map<JobName, Entry>();

  register<N extends JobName>(name: N, handler: JobHandler<N>, options: Partial<JobOptions> = {}): void {
    if (this.entries.has(name)) throw new Error(`job ${name} already has a handler`);
    this.entries.set(name, {
      handler: handler as JobHandler<JobName>,
      options: { ...defaultOptions, ...options },
    });
  }

  /** Startup check: every declared job has exactly one handler. */
  assertComplete(): void {
    const missing = jobNames.filter((n) => !this.entries.has(n));
    if (missing.length) throw new Error(`jobs without a handler: ${missing.join(", ")}`);
  }

  options(name: JobName): JobOptions {
    return this.entry(name).options;
  }

  async run(name: string, rawPayload: unknown, ctx: JobContext): Promise<JobOutcome> {
    if (!isJobName(name)) return { status: "failed", detail: `unknown job ${name}` };
    const payload = jobPayloads[name].parse(rawPayload);
    return this.entry(name).handler(payload as JobPayload<JobName>, ctx);
  }

  private entry(name: JobName): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`job ${name} has no handler`);
    return entry;
  }
}

function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobPayloads, name);
}
