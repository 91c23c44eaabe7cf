/**
 * In-process probes for the release passes: the SQL statements node-postgres sends (wrapping
 * `pg.Client.prototype.query` as lib/statements.ts does: begin and commit count, pool and transaction
 * queries both end up there, pipelined statements count one each), grouped by statement (prepared name or
 * text) with the time from issue to answer; and the process's memory (RSS, V8 heapUsed) once a second.
 */
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import pg from "pg";

export interface StatementStat {
  /** Prepared statement name, or the SQL text. */
  key: string;
  count: number;
  /** Sum and maximum of issue → answer times (ms): a pipelined statement also waits for the ones before it. */
  totalMs: number;
  maxMs: number;
  /** The first call's text and values (for EXPLAIN). */
  text: string;
  values: unknown[];
}

export interface StatementProbe {
  /** Clears the counts and starts counting. */
  start(): void;
  /** Stops counting and returns what was counted, most frequent first. */
  stop(): StatementStat[];
  /** Calls counted so far whose key is `key` (live, e.g. for progress lines). */
  countOf(key: string): number;
  /** All statements counted so far. */
  total(): number;
  restore(): void;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

function keyOf(args: unknown[]): { key: string; text: string; values: unknown[] } {
  const first = args[0];
  if (typeof first === "string") {
    return { key: first, text: first, values: Array.isArray(args[1]) ? (args[1] as unknown[]) : [] };
  }
  const config = (first ?? {}) as { text?: unknown; name?: unknown; values?: unknown };
  const text = typeof config.text === "string" ? config.text : "(?)";
  const values = Array.isArray(config.values)
    ? (config.values as unknown[])
    : Array.isArray(args[1])
      ? (args[1] as unknown[])
      : [];
  return { key: typeof config.name === "string" && config.name ? config.name : text, text, values };
}

/** `resolveFrom`: a file of the code under test; the `pg` it loads must be this one. */
export function statementProbe(resolveFrom: string): StatementProbe {
  const theirs = createRequire(resolveFrom)("pg") as typeof pg;
  if (theirs.Client !== pg.Client) {
    throw new Error(`${resolveFrom} loads another copy of pg: its statements cannot be counted from here`);
  }
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  let counting = false;
  let stats = new Map<string, StatementStat>();
  let total = 0;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (!counting) return original.apply(this, args);
    const { key, text, values } = keyOf(args);
    let stat = stats.get(key);
    if (!stat) {
      stat = { key, count: 0, totalMs: 0, maxMs: 0, text, values };
      stats.set(key, stat);
    }
    stat.count++;
    total++;
    const s = stat;
    const t0 = performance.now();
    const done = () => {
      const ms = performance.now() - t0;
      s.totalMs += ms;
      if (ms > s.maxMs) s.maxMs = ms;
    };
    const last = args.length - 1;
    const cb = args[last];
    if (typeof cb === "function") {
      // pool.query() hands the client a callback.
      args[last] = function (this: unknown, ...r: unknown[]) {
        done();
        return (cb as (...a: unknown[]) => unknown).apply(this, r);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function")
      (result as Promise<unknown>).then(done, done);
    return result;
  };
  return {
    start() {
      stats = new Map();
      total = 0;
      counting = true;
    },
    stop() {
      counting = false;
      return [...stats.values()].sort((a, b) => b.count - a.count);
    },
    countOf: (key) => stats.get(key)?.count ?? 0,
    total: () => total,
    restore() {
      counting = false;
      proto.query = original;
    },
  };
}

export interface MemorySample {
  atMs: number;
  rss: number;
  heapUsed: number;
}

export interface MemorySummary {
  samples: number;
  rss: { start: number; max: number; end: number };
  heapUsed: { start: number; max: number; end: number };
  /** Largest heapUsed in each tenth of the pass (shows whether it drifts up). */
  heapByTenth: number[];
}

/** Samples process.memoryUsage() now and every `everyMs` until stop(). */
export function memorySampler(everyMs = 1000): { stop(): MemorySummary } {
  const samples: MemorySample[] = [];
  const t0 = performance.now();
  const take = () => {
    const m = process.memoryUsage();
    samples.push({ atMs: performance.now() - t0, rss: m.rss, heapUsed: m.heapUsed });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const first = samples[0]!;
      const lastSample = samples.at(-1)!;
      const span = Math.max(1, lastSample.atMs);
      const heapByTenth = Array.from({ length: 10 }, () => 0);
      for (const s of samples) {
        const i = Math.min(9, Math.floor((s.atMs / span) * 10));
        heapByTenth[i] = Math.max(heapByTenth[i]!, s.heapUsed);
      }
      return {
        samples: samples.length,
        rss: {
          start: first.rss,
          max: Math.max(...samples.map((s) => s.rss)),
          end: lastSample.rss,
        },
        heapUsed: {
          start: first.heapUsed,
          max: Math.max(...samples.map((s) => s.heapUsed)),
          end: lastSample.heapUsed,
        },
        heapByTenth: heapByTenth.filter((v) => v > 0),
      };
    },
  };
}
