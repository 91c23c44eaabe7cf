// autocannon 8 ships no type declarations; this covers the part of its programmatic API the benches use.
declare module "autocannon" {
  /** One request as autocannon builds it (the top-level options are the defaults). */
  export interface RequestParams {
    method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    [key: string]: unknown;
  }

  export interface RequestSpec extends RequestParams {
    /** Called before every send of this request (per connection); returns the request to send. */
    setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams | null | undefined;
  }

  export interface Options {
    url: string;
    title?: string;
    method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds a request may take before it counts as a timeout (and an error). */
    timeout?: number;
    pipelining?: number;
    /** Stop after this many errors. */
    bailout?: number;
    /** Requests sent in turn on every connection (with `setupRequest`, rebuilt before each send). */
    requests?: RequestSpec[];
  }

  /** hdr-histogram-percentiles-obj: mean/stddev/min/max plus p0_001 … p99_999. */
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total?: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
    [percentile: `p${string}`]: number;
  }

  export interface Result {
    title?: string;
    url: string;
    connections: number;
    pipelining: number;
    /** Seconds actually run. */
    duration: number;
    samples: number;
    start: Date;
    finish: Date;
    /** Socket errors, including timeouts. */
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    "1xx": number;
    "2xx": number;
    "3xx": number;
    "4xx": number;
    "5xx": number;
    statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds, 2xx responses only. */
    latency: Histogram & { totalCount: number };
    /** Requests per one-second sample; `total` is the number completed. */
    requests: Histogram & { sent: number };
    /** Bytes per one-second sample. */
    throughput: Histogram;
  }

  export interface Instance extends PromiseLike<Result> {
    stop(): void;
  }

  export default function autocannon(options: Options): Instance;
}
