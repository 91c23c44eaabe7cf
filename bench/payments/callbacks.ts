/**
 * Phase 3a (b): POST /api/v1/payments/callback/wechat throughput. Every seeded order gets one
 * TRANSACTION.SUCCESS notification, built and signed right before its run (the backend refuses a
 * timestamp more than 300 s off). Rounds: the round's orders once each (first deliveries: verify,
 * decrypt, match, mark paid, grant, commission, log), then the same bodies again re-signed with fresh
 * timestamps (WeChat's retries: the duplicate path), then pgbench at the same concurrency for as long
 * as the round's first-delivery run took. After every run the notification log's outcomes are counted
 * against what was sent.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { type CpuUsage, cpuSnapshot, cpuUsage } from "../lib/cpu.js";
import { median } from "../lib/load.js";
import type { PgbenchResult, PgbenchSession } from "../lib/pgbench.js";
import type { ServerChild } from "../lib/server-child.js";
import { sampleWaits, type WaitSamples } from "../lib/waits.js";
import {
  type BenchMerchant,
  type NotificationBody,
  notificationBody,
  notificationHeaders,
} from "./notify.js";
import type { SeededPayer } from "./seed.js";
import { type Callback, type SendResult, SUCCESS_BODY, sendAll } from "./sender.js";

export const CALLBACK_PATH = "/api/v1/payments/callback/wechat";

export type RunKind = "fulfil" | "duplicate";

export interface Outcomes {
  fulfilled: number;
  duplicate: number;
  rejected: number;
  other: number;
}

export interface CallbackRun {
  kind: RunKind;
  round: number;
  send: SendResult;
  /** Building (encrypting) and signing the run's notifications, before the run. */
  buildMs: number;
  /** payment_notifications rows added by the run, by outcome. */
  logged: Outcomes;
  cpu: CpuUsage;
  waits: WaitSamples;
}

export interface CallbacksResult {
  warmup: { fulfil: SendResult; duplicate: SendResult; logged: Outcomes } | null;
  runs: CallbackRun[];
  pgbenchRuns: PgbenchResult[];
  /** Per round: callbacks/s ÷ that round's pgbench tps, %. */
  fulfilVsPgbench: number[];
  duplicateVsPgbench: number[];
  /** Every notification sent, by out_trade_no (the checks compare the stored gateway trade no). */
  notifications: NotificationBody[];
  /** Duplicates sent in total (warm-up included). */
  duplicatesSent: number;
  /** RSA signatures made by the bench, and their total time (encryption included). */
  signatures: number;
  signMs: number;
  /** The single sanity notification sent (and checked) before the warm-up, build to answer. */
  sanity: { ms: number };
}

export interface CallbacksOptions {
  backend: ServerChild;
  dbUrl: string;
  merchant: BenchMerchant;
  warmup: SeededPayer[];
  /** The measured orders, split into rounds after the warm-up (see `roundsFor`). */
  orders: SeededPayer[];
  minRounds: number;
  connections: number;
  pgbench: PgbenchSession;
  pgbenchWarmupSeconds: number;
  log: (message: string) => void;
}

/**
 * A round's notifications are all signed before it starts, and the backend refuses a signature more than
 * 300 s old: at the warm-up's rate no round may take longer than this (more rounds when needed).
 */
export const MAX_ROUND_SECONDS = 120;

/** `orders` in at least `minRounds` equal rounds, each short enough at `rate` callbacks/s. */
export function roundsFor(orders: SeededPayer[], minRounds: number, rate: number): SeededPayer[][] {
  const byTime = rate > 0 ? Math.ceil(orders.length / (rate * MAX_ROUND_SECONDS)) : minRounds;
  const count = Math.min(orders.length, Math.max(minRounds, byTime));
  const size = Math.ceil(orders.length / count);
  return Array.from({ length: count }, (_, r) => orders.slice(r * size, (r + 1) * size)).filter(
    (r) => r.length > 0,
  );
}

export async function benchCallbacks(opts: CallbacksOptions): Promise<CallbacksResult> {
  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  const url = opts.backend.baseUrl + CALLBACK_PATH;
  const notifications: NotificationBody[] = [];
  let signatures = 0;
  let signMs = 0;
  let duplicatesSent = 0;
  const build = (payers: SeededPayer[]): { bodies: NotificationBody[]; calls: Callback[]; ms: number } => {
    const t0 = performance.now();
    const now = new Date();
    const bodies = payers.map((p) => notificationBody(opts.merchant, p, now));
    const calls = bodies.map((b) => ({
      body: b.body,
      headers: notificationHeaders(opts.merchant, b.body, now),
    }));
    const ms = performance.now() - t0;
    signatures += calls.length;
    signMs += ms;
    notifications.push(...bodies);
    return { bodies, calls, ms };
  };
  const resign = (bodies: NotificationBody[]): { calls: Callback[]; ms: number } => {
    const t0 = performance.now();
    const now = new Date();
    const calls = bodies.map((b) => ({
      body: b.body,
      headers: notificationHeaders(opts.merchant, b.body, now),
    }));
    const ms = performance.now() - t0;
    signatures += calls.length;
    signMs += ms;
    duplicatesSent += calls.length;
    return { calls, ms };
  };
  try {
    // Sanity: one notification, answered SUCCESS and logged as fulfilled (or the refusal, explained).
    const s0 = performance.now();
    const [first, ...warmRest] = opts.warmup;
    if (!first) throw new Error("payments: at least one warm-up order is needed");
    const one = build([first]);
    const res = await fetch(url, {
      method: "POST",
      headers: one.calls[0]!.headers,
      body: one.calls[0]!.body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 200 || text !== SUCCESS_BODY) {
      const { rows } = await client.query<{ outcome: string; reason: string | null; detail: string | null }>(
        "select outcome, reason, detail from payment_notifications order by received_at desc limit 1",
      );
      const why = rows[0]
        ? `logged ${rows[0].outcome} (${rows[0].reason}: ${rows[0].detail})`
        : "nothing logged";
      throw new Error(`POST ${CALLBACK_PATH} answered ${res.status} ${text.slice(0, 200)}; ${why}`);
    }
    const paid = await client.query<{ status: string }>("select status from payment_orders where id = $1", [
      first.orderId,
    ]);
    if (paid.rows[0]?.status !== "paid")
      throw new Error(
        `the sanity notification answered SUCCESS but order ${first.orderId} is ${paid.rows[0]?.status}`,
      );
    const sanityMs = performance.now() - s0;

    let warmup: CallbacksResult["warmup"] = null;
    let warmRate = 0;
    if (warmRest.length > 0) {
      opts.log(`callbacks: warm-up: ${warmRest.length} notifications, then as many duplicates…`);
      const before = await outcomes(client);
      const w = build(warmRest);
      const fulfil = await sendAll(url, w.calls, opts.connections);
      const d = resign(w.bodies);
      const duplicate = await sendAll(url, d.calls, opts.connections);
      warmup = { fulfil, duplicate, logged: minus(await outcomes(client), before) };
      warmRate = fulfil.perSec;
    }
    const rounds = roundsFor(opts.orders, opts.minRounds, warmRate);
    if (rounds.length > opts.minRounds)
      opts.log(
        `callbacks: ${rounds.length} rounds instead of ${opts.minRounds}: at the warm-up's ${warmRate.toFixed(0)}/s a round must stay under ${MAX_ROUND_SECONDS} s (signatures expire after 300 s)`,
      );

    const runs: CallbackRun[] = [];
    const pgbenchRuns: PgbenchResult[] = [];
    const pids = { backend: opts.backend.pid, bench: process.pid };
    const measured = async (kind: RunKind, round: number, calls: Callback[], buildMs: number) => {
      const before = await outcomes(client);
      const sampler = await sampleWaits(opts.dbUrl);
      const cpuBefore = cpuSnapshot(pids);
      const send = await sendAll(url, calls, opts.connections).finally(() => sampler.stop());
      const cpu = cpuUsage(cpuBefore, cpuSnapshot(pids));
      const waits = await sampler.result;
      const logged = minus(await outcomes(client), before);
      runs.push({ kind, round, send, buildMs, logged, cpu, waits });
      opts.log(
        `callbacks: round ${round + 1}: ${kind}: ${send.ok}/${send.sent} SUCCESS in ${(send.wallMs / 1000).toFixed(1)} s → ${send.perSec.toFixed(0)}/s (signed in ${(buildMs / 1000).toFixed(1)} s)`,
      );
      return send;
    };
    for (let round = 0; round < rounds.length; round++) {
      const payers = rounds[round]!;
      opts.log(`callbacks: round ${round + 1}/${rounds.length}: building ${payers.length} notifications…`);
      const b = build(payers);
      const fulfil = await measured("fulfil", round, b.calls, b.ms);
      const d = resign(b.bodies);
      await measured("duplicate", round, d.calls, d.ms);
      const seconds = Math.max(1, Math.round(fulfil.wallMs / 1000));
      if (round === 0 && opts.pgbenchWarmupSeconds > 0) {
        await opts.pgbench.run({ clients: opts.connections, threads: 2, seconds: opts.pgbenchWarmupSeconds });
      }
      opts.log(`callbacks: round ${round + 1}: pgbench -c ${opts.connections} -T ${seconds}…`);
      const ref = await opts.pgbench.run({ clients: opts.connections, threads: 2, seconds });
      opts.log(`callbacks: pgbench: ${ref.tps.toFixed(0)} tps`);
      pgbenchRuns.push(ref);
    }
    const versus = (kind: RunKind) =>
      runs
        .filter((r) => r.kind === kind)
        .map((r) => (100 * r.send.perSec) / Math.max(1e-9, pgbenchRuns[r.round]?.tps ?? 0));
    return {
      warmup,
      runs,
      pgbenchRuns,
      fulfilVsPgbench: versus("fulfil"),
      duplicateVsPgbench: versus("duplicate"),
      notifications,
      duplicatesSent,
      signatures,
      signMs,
      sanity: { ms: sanityMs },
    };
  } finally {
    await client.end();
  }
}

async function outcomes(client: pg.Client): Promise<Outcomes> {
  const { rows } = await client.query<{ outcome: string; n: number }>(
    "select outcome, count(*)::int as n from payment_notifications group by outcome",
  );
  const o: Outcomes = { fulfilled: 0, duplicate: 0, rejected: 0, other: 0 };
  for (const r of rows) {
    if (r.outcome === "fulfilled" || r.outcome === "duplicate" || r.outcome === "rejected")
      o[r.outcome] += r.n;
    else o.other += r.n;
  }
  return o;
}

const minus = (a: Outcomes, b: Outcomes): Outcomes => ({
  fulfilled: a.fulfilled - b.fulfilled,
  duplicate: a.duplicate - b.duplicate,
  rejected: a.rejected - b.rejected,
  other: a.other - b.other,
});

export const medianOf = (values: number[]) => (values.length ? median(values) : 0);
