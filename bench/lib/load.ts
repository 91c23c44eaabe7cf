import autocannon, { type Options, type RequestParams, type Result } from "autocannon";

export type { RequestParams } from "autocannon";

export interface LoadTarget {
  name: string;
  url: string;
  /** Default GET. */
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Request body (sent as is; set content-type in `headers`). */
  body?: string;
  /**
   * Called before every request is sent (autocannon `setupRequest`); returns the request to send, e.g.
   * with a fresh Idempotency-Key. Without it every request is the same prebuilt buffer.
   */
  setupRequest?: (req: RequestParams) => RequestParams;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Discarded run right before the measured one (0 to skip). */
  warmupSeconds: number;
  /** Per-request timeout in seconds (counts as an error). */
  timeoutSeconds?: number;
}

export interface Measurement {
  name: string;
  url: string;
  connections: number;
  seconds: number;
  /** Mean of the per-second samples. */
  reqPerSec: number;
  /** Milliseconds (autocannon's histogram has 1 ms resolution), 2xx responses only. */
  p50Ms: number;
  p99Ms: number;
  completed: number;
  /** Requests written to a socket; `sent - completed - errors` were still in flight at the stop. */
  sent: number;
  ok2xx: number;
  non2xx: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  warmup: { completed: number; sent: number; ok2xx: number; non2xx: number; errors: number } | null;
}

function run(target: LoadTarget, opts: LoadOptions, seconds: number): Promise<Result> {
  const options: Options = {
    url: target.url,
    title: target.name,
    method: target.method ?? "GET",
    headers: target.headers ?? {},
    connections: opts.connections,
    duration: seconds,
    timeout: opts.timeoutSeconds ?? 10,
  };
  if (target.body !== undefined) options.body = target.body;
  const setup = target.setupRequest;
  if (setup) options.requests = [{ setupRequest: (req) => setup(req) }];
  return Promise.resolve(autocannon(options));
}

/** Warms up, then measures one target with autocannon's programmatic API. */
export async function measure(target: LoadTarget, opts: LoadOptions): Promise<Measurement> {
  const warm = opts.warmupSeconds > 0 ? await run(target, opts, opts.warmupSeconds) : null;
  const r = await run(target, opts, opts.seconds);
  return {
    name: target.name,
    url: target.url,
    connections: opts.connections,
    seconds: r.duration,
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    completed: r.requests.total ?? 0,
    sent: r.requests.sent,
    ok2xx: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    warmup: warm
      ? {
          completed: warm.requests.total ?? 0,
          sent: warm.requests.sent,
          ok2xx: warm["2xx"],
          non2xx: warm.non2xx,
          errors: warm.errors,
        }
      : null,
  };
}

/** Why a measurement cannot be trusted: any error or non-2xx answer, in the run or its warm-up. */
export function problemsOf(m: Measurement): string[] {
  const problems: string[] = [];
  if (m.errors > 0) problems.push(`${m.errors} request errors (${m.timeouts} timeouts)`);
  if (m.non2xx > 0) problems.push(`${m.non2xx} non-2xx responses (${JSON.stringify(m.statusCodes)})`);
  if (m.ok2xx === 0) problems.push("no 2xx responses at all");
  if (m.warmup && m.warmup.errors > 0) problems.push(`${m.warmup.errors} request errors during warm-up`);
  if (m.warmup && m.warmup.non2xx > 0) problems.push(`${m.warmup.non2xx} non-2xx responses during warm-up`);
  return problems;
}

/** `part` as a percentage of `whole`, one decimal. */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
