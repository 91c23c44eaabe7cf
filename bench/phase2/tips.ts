/**
 * Phase 2 (c): POST /api/v1/works/{id}/tip_and_favorite throughput. 200 pre-funded payers (seeded users
 * who own no work) take turns on the connections; every request takes the next payer's token, a fresh
 * Idempotency-Key and amount 10. "many": payer i tips a work of creator i (200 different creators);
 * "one": every payer tips the same work (one creator: its pending coins, its user_stats row and the
 * work's stats row are shared by every tip). The two alternate in interleaved rounds. After each run the
 * tips rows and `tip_spend` ledger transactions are counted against the 2xx answers.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { type CpuUsage, cpuSnapshot, cpuUsage } from "../lib/cpu.js";
import { type Measurement, measure, median, type RequestParams } from "../lib/load.js";
import type { PgbenchResult, PgbenchSession } from "../lib/pgbench.js";
import type { ServerChild } from "../lib/server-child.js";
import { sampleWaits, type WaitSamples } from "../lib/waits.js";
import { combine } from "./feed.js";

export interface Payer {
  userId: string;
  token: string;
}

export interface TipsOptions {
  backend: ServerChild;
  dbUrl: string;
  payers: Payer[];
  /** Work tipped by payer i in the many-creator run (creators all different). */
  manyWorks: { workId: string; creatorUserId: string }[];
  oneWork: { workId: string; creatorUserId: string };
  amount: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** The reference: one pgbench run of the round's length after each round's tip runs. */
  pgbench: PgbenchSession;
  log: (message: string) => void;
}

export interface TipRun {
  m: Measurement;
  /** Tips rows and tip_spend transactions added by this run (warm-up included). */
  tipsDelta: number;
  spendsDelta: number;
  /** 2xx answers (warm-up included). */
  ok2xx: number;
  /** Requests sent but not seen answered when autocannon stopped (they may still commit). */
  inFlightAtStop: number;
  cpu: CpuUsage;
  waits: WaitSamples;
}

export interface TipScenario {
  key: "many" | "one";
  label: string;
  creators: number;
  works: number;
  runs: TipRun[];
  m: Measurement;
  /** Median over rounds of the run's mean tips/s. */
  tipsPerSec: number;
  checks: { ok: boolean; line: string }[];
  waits: WaitSamples;
}

export interface TipsResult {
  many: TipScenario;
  one: TipScenario;
  /** Per-round one / many, %. */
  ratios: number[];
  ratio: number;
  /** pgbench runs, one per round, after that round's tip runs. */
  pgbenchRuns: PgbenchResult[];
  /** Per-round many / pgbench tps, %. */
  manyVsPgbench: number[];
  manyVsPgbenchRatio: number;
  perRoundSeconds: number;
  rounds: number;
  payers: number;
  amount: number;
}

export async function benchTips(opts: TipsOptions): Promise<TipsResult> {
  if (opts.manyWorks.length !== opts.payers.length) throw new Error("one many-creator work per payer");
  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  try {
    const body = JSON.stringify({ amount_credits: opts.amount });
    const url = (workId: string) => `${opts.backend.baseUrl}/api/v1/works/${workId}/tip_and_favorite`;
    const path = (workId: string) => `/api/v1/works/${workId}/tip_and_favorite`;
    // Sanity: one tip of each kind answers 200 with the amount.
    for (const [payer, work] of [
      [opts.payers[0]!, opts.manyWorks[0]!],
      [opts.payers[1]!, opts.oneWork],
    ] as const) {
      const res = await fetch(url(work.workId), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${payer.token}`,
          "idempotency-key": randomUUID(),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const parsed = JSON.parse(text) as { code?: number; data?: { amount_credits?: number } };
      if (res.status !== 200 || parsed.code !== 0 || parsed.data?.amount_credits !== opts.amount) {
        throw new Error(`POST ${path(work.workId)} answered ${res.status}: ${text.slice(0, 300)}`);
      }
    }

    const scenarios = {
      many: {
        label: `${opts.payers.length} payers → ${new Set(opts.manyWorks.map((w) => w.creatorUserId)).size} different creators`,
        pathFor: (i: number) => path(opts.manyWorks[i % opts.manyWorks.length]!.workId),
        runs: [] as TipRun[],
      },
      one: {
        label: `${opts.payers.length} payers → one creator (one work)`,
        pathFor: (_i: number) => path(opts.oneWork.workId),
        runs: [] as TipRun[],
      },
    };
    const perRound = Math.max(1, Math.round(opts.seconds / opts.rounds));
    const pids = { backend: opts.backend.pid, bench: process.pid };
    const pgbenchRuns: PgbenchResult[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      for (const key of ["many", "one"] as const) {
        const s = scenarios[key];
        const warmupSeconds = round === 0 ? opts.warmupSeconds : 0;
        opts.log(
          `tips: round ${round + 1}/${opts.rounds}: ${s.label}: ${warmupSeconds} s warm-up + ${perRound} s…`,
        );
        const before = await counts(client);
        let next = 0;
        const setupRequest = (req: RequestParams): RequestParams => {
          const i = next++;
          return {
            ...req,
            path: s.pathFor(i % opts.payers.length),
            headers: {
              ...req.headers,
              authorization: `Bearer ${opts.payers[i % opts.payers.length]!.token}`,
              "idempotency-key": randomUUID(),
            },
          };
        };
        const target = {
          name: `tips-${key}`,
          url: url(key === "many" ? opts.manyWorks[0]!.workId : opts.oneWork.workId),
          method: "POST" as const,
          headers: { "content-type": "application/json", accept: "application/json" },
          body,
          setupRequest,
        };
        const run = (seconds: number) =>
          measure(target, { connections: opts.connections, seconds, warmupSeconds: 0 });
        const sampler = await sampleWaits(opts.dbUrl);
        const warm = warmupSeconds > 0 ? await run(warmupSeconds) : null;
        const cpuBefore = cpuSnapshot(pids);
        const m = await run(perRound).finally(() => sampler.stop());
        const cpu = cpuUsage(cpuBefore, cpuSnapshot(pids));
        const waits = await sampler.result;
        const after = await settledCounts(client);
        const unanswered = (x: { sent: number; ok2xx: number; non2xx: number }) =>
          Math.max(0, x.sent - x.ok2xx - x.non2xx);
        const measured: Measurement = warm
          ? {
              ...m,
              warmup: {
                completed: warm.completed,
                sent: warm.sent,
                ok2xx: warm.ok2xx,
                non2xx: warm.non2xx,
                errors: warm.errors,
              },
            }
          : m;
        s.runs.push({
          m: measured,
          tipsDelta: after.tips - before.tips,
          spendsDelta: after.spends - before.spends,
          ok2xx: m.ok2xx + (warm?.ok2xx ?? 0),
          inFlightAtStop: unanswered(m) + (warm ? unanswered(warm) : 0),
          cpu,
          waits,
        });
        opts.log(
          `tips: ${key}: ${m.reqPerSec.toFixed(0)} tips/s, p99 ${m.p99Ms} ms, ${after.tips - before.tips} tips rows added`,
        );
      }
      opts.log(`tips: round ${round + 1}/${opts.rounds}: pgbench -c ${opts.connections} -T ${perRound}…`);
      if (round === 0 && opts.warmupSeconds > 0) {
        await opts.pgbench.run({ clients: opts.connections, threads: 2, seconds: opts.warmupSeconds });
      }
      const ref = await opts.pgbench.run({ clients: opts.connections, threads: 2, seconds: perRound });
      opts.log(`tips: pgbench: ${ref.tps.toFixed(0)} tps`);
      pgbenchRuns.push(ref);
    }

    const build = (key: "many" | "one"): TipScenario => {
      const s = scenarios[key];
      const ok2xx = s.runs.reduce((n, r) => n + r.ok2xx, 0);
      const tips = s.runs.reduce((n, r) => n + r.tipsDelta, 0);
      const spends = s.runs.reduce((n, r) => n + r.spendsDelta, 0);
      const inFlight = s.runs.reduce((n, r) => n + r.inFlightAtStop, 0);
      const perRun = s.runs.every((r) => r.tipsDelta >= r.ok2xx && r.tipsDelta <= r.ok2xx + r.inFlightAtStop);
      return {
        key,
        label: s.label,
        creators: key === "many" ? new Set(opts.manyWorks.map((w) => w.creatorUserId)).size : 1,
        works: key === "many" ? new Set(opts.manyWorks.map((w) => w.workId)).size : 1,
        runs: s.runs,
        m: combine(s.runs.map((r) => r.m)),
        tipsPerSec: median(s.runs.map((r) => r.m.reqPerSec)),
        checks: [
          {
            ok: perRun,
            line: `${key}: tips rows added ${tips.toLocaleString("en-US")} = successful tip answers ${ok2xx.toLocaleString("en-US")} (warm-up + runs)${tips > ok2xx ? ` + ${tips - ok2xx} of the ${inFlight} requests still in flight when autocannon stopped (committed, answer never read)` : ""}, in every run`,
          },
          {
            ok: spends === tips,
            line: `${key}: one \`tip_spend\` ledger transaction per tip: ${spends.toLocaleString("en-US")}/${tips.toLocaleString("en-US")}`,
          },
        ],
        waits: mergeWaits(s.runs.map((r) => r.waits)),
      };
    };
    const many = build("many");
    const one = build("one");
    const ratios = many.runs.map(
      (r, i) => (100 * (one.runs[i]?.m.reqPerSec ?? 0)) / Math.max(1e-9, r.m.reqPerSec),
    );
    const manyVsPgbench = many.runs.map(
      (r, i) => (100 * r.m.reqPerSec) / Math.max(1e-9, pgbenchRuns[i]?.tps ?? 0),
    );
    return {
      many,
      one,
      ratios,
      ratio: median(ratios),
      pgbenchRuns,
      manyVsPgbench,
      manyVsPgbenchRatio: median(manyVsPgbench),
      perRoundSeconds: perRound,
      rounds: opts.rounds,
      payers: opts.payers.length,
      amount: opts.amount,
    };
  } finally {
    await client.end();
  }
}

async function counts(client: pg.Client): Promise<{ tips: number; spends: number }> {
  const { rows } = await client.query<{ tips: number; spends: number }>(
    `select (select count(*)::int from tips) as tips,
            (select count(*)::int from ledger_transactions where type = 'tip_spend') as spends`,
  );
  return rows[0] ?? { tips: 0, spends: 0 };
}

/** Requests cut off when autocannon stopped may still commit: waits until the counts stop moving. */
async function settledCounts(client: pg.Client): Promise<{ tips: number; spends: number }> {
  let last = await counts(client);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await counts(client);
    if (now.tips === last.tips && now.spends === last.spends) return now;
    last = now;
  }
  return last;
}

function mergeWaits(all: WaitSamples[]): WaitSamples {
  const merged = new Map<string, { state: string; statement: string; samples: number }>();
  for (const w of all) {
    for (const t of w.top) {
      const k = `${t.state}\u0000${t.statement}`;
      const e = merged.get(k) ?? { ...t, samples: 0 };
      e.samples += t.samples;
      merged.set(k, e);
    }
  }
  return {
    snapshots: all.reduce((n, w) => n + w.snapshots, 0),
    top: [...merged.values()].sort((a, b) => b.samples - a.samples).slice(0, 8),
  };
}
