/**
 * Phase 3b bench: the hourly `coins.release` job. (a) seeds BENCH_LOTS matured pending-coin lots (creator
 * tip incomes on the creators' pending shards, a few hundred already released, a few dozen reversed) plus a
 * few not yet due, through set-based SQL on a fresh migrated database, with balances that reconcile;
 * (b) runs `releaseMatured` in this process with the backend's own database client over disjoint unlock
 * ranges: the main range at the job's defaults (batch 500, concurrency 4), then again (the empty sweep:
 * must release nothing), a second range at concurrency 8 / batch 1000, and a third range with two
 * concurrent workers on two pools, with pgbench's TPC-B-like load at the same client count before and after
 * each; counts the SQL statements per lot and samples the process's memory every second; (c) checks every
 * matured lot was released exactly once (and the seeded ends untouched) and reconciles the ledger.
 * Rewrites the "Phase 3b: coin release" section of bench/RESULTS.md. See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { rm, rmdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadEconomy } from "../backend/src/config/economy.js";
import { type Database, openDatabase } from "../backend/src/db/client.js";
import { formatReport, reconcile } from "../backend/src/ledger/reconcile.js";
import {
  type ReleaseOptions,
  type ReleaseSummary,
  releaseMatured,
} from "../backend/src/modules/coins/release.js";
import { maturedLots } from "../backend/src/modules/coins/repository.js";
import {
  type MemorySummary,
  memorySampler,
  type StatementProbe,
  type StatementStat,
  statementProbe,
} from "./coins-release/probe.js";
import { atOf, type LotSeed, seedLots } from "./coins-release/seed.js";
import { type Check, type RangeExpectation, verifyReleases } from "./coins-release/verify.js";
import { installSignalHandlers, onCleanup, runCleanup } from "./lib/cleanup.js";
import { type CpuUsage, cpuSnapshot, cpuUsage } from "./lib/cpu.js";
import { type BenchDatabase, createBenchDatabase, DEFAULT_ADMIN_URL, redactUrl } from "./lib/database.js";
import { envInt } from "./lib/env.js";
import { describeMachine, type MachineInfo } from "./lib/machine.js";
import { type PgbenchResult, pgbenchSession } from "./lib/pgbench.js";
import { formatNumber, markdownTable, writeResultsSection } from "./lib/results.js";
import { sampleWaits, type WaitSamples } from "./lib/waits.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const RESULTS_FILE = path.join(BENCH_DIR, "RESULTS.md");
const HEADING = "## Phase 3b: coin release";
const BACKEND_DB_CLIENT = fileURLToPath(new URL("../backend/src/db/client.ts", import.meta.url));
const DAY_MS = 24 * 3600_000;
/** release.ts WATERMARK_MARGIN_MS: a sweep starts this far below its watermark (no watermark: the epoch). */
const OVERLAP_MS = 3600_000;
const PROGRESS_EVERY_MS = 10_000;

const lots = envInt("BENCH_LOTS", 1_000_000, { min: 2_000, max: 20_000_000 });
const openLots = envInt("BENCH_OPEN_LOTS", Math.min(100_000, lots), { min: 1_000, max: lots });
const side = envInt("BENCH_SIDE_LOTS", Math.round(openLots / 5), { min: 100, max: Math.floor(openLots / 3) });
const settings = {
  lots,
  /** The newest matured lots: the backlog the passes release (the older ones the per-lot job released). */
  open: openLots,
  /** The second setting's range and the two-worker range (each); the main range is the rest of the backlog. */
  side,
  main: openLots - 2 * side,
  creators: envInt("BENCH_LOT_CREATORS", Math.min(20_000, Math.max(2, Math.round(lots / 50))), {
    min: 2,
    max: 1_000_000,
  }),
  released: Math.min(300, Math.floor(openLots / 200)),
  reversed: Math.min(30, Math.floor(lots / 2_000)),
  future: Math.min(200, Math.floor(lots / 100)),
  pgbenchSeconds: envInt("BENCH_PGBENCH_SECONDS", 15, { min: 1, max: 600 }),
  pgbenchWarmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2, { min: 0, max: 600 }),
};
/** The job's defaults (release.ts): what `coins.release` runs with. */
const JOB_DEFAULTS = { batchSize: 500, concurrency: 4 } satisfies ReleaseOptions;
const SECOND = { batchSize: 1000, concurrency: 8 } satisfies ReleaseOptions;

const log = (message: string) => console.log(`[bench] ${message}`);
const int = (v: number) => formatNumber(v, 0);
const ms1 = (v: number) => formatNumber(v, 1);
const sec = (msValue: number) => `${formatNumber(msValue / 1000, 1)} s`;
const mib = (bytes: number) => formatNumber(bytes / 2 ** 20, 1);
const pct = (v: number) => `${v.toFixed(1)} %`;
const loadAtStart = os.loadavg()[0] ?? 0;
const startedAt = performance.now();

interface PassResult {
  label: string;
  workers: Required<ReleaseOptions>[];
  at: Date;
  summaries: ReleaseSummary[];
  ms: number;
  /** Wall time of each worker's call (two-worker pass). */
  workerMs: number[];
  statements: StatementStat[];
  memory: MemorySummary;
  cpu: CpuUsage;
  waits: WaitSamples;
  failures: string[];
}

const released = (p: PassResult) => p.summaries.reduce((n, s) => n + s.released, 0);
const skipped = (p: PassResult) => p.summaries.reduce((n, s) => n + s.skipped, 0);
const failed = (p: PassResult) => p.summaries.reduce((n, s) => n + s.failed, 0);
const batches = (p: PassResult) => p.summaries.reduce((n, s) => n + s.batches, 0);

const rateOf = (p: PassResult) => (released(p) * 1000) / Math.max(1, p.ms);
/** repository.maturedLots' batch query (findLot reads `from postings p` too). */
const BATCH_QUERY = /select p\.id, p\.unlock_at from postings p/;
const KEYSET = /\(p\.unlock_at, p\.id\) >/;
const ourStatements = (stats: StatementStat[]) => stats.filter((s) => !/pg_stat_activity/.test(s.text));

async function main(): Promise<number> {
  const adminUrl = process.env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
  const machine = describeMachine();
  const tmpRoot = path.join(BENCH_DIR, ".tmp", `coins_release_${randomBytes(6).toString("hex")}`);
  onCleanup(`remove ${tmpRoot}`, async () => {
    await rm(tmpRoot, { recursive: true, force: true });
    await rmdir(path.dirname(tmpRoot)).catch(() => undefined);
  });
  const probe = statementProbe(BACKEND_DB_CLIENT);
  onCleanup("restore pg.Client.prototype.query", () => probe.restore());

  const db = await createBenchDatabase(adminUrl);
  log(`created database ${db.name} on ${redactUrl(adminUrl)}`);
  const t0 = performance.now();
  const open = async (poolMax: number): Promise<Database> => {
    const database = await openDatabase({
      databaseUrl: db.url,
      pgliteDir: path.join(tmpRoot, "unused"),
      poolMax,
    });
    const unregister = onCleanup("close a bench database pool", () => database.close());
    const close = database.close;
    return Object.assign(database, {
      close: async () => {
        unregister();
        await close();
      },
    });
  };
  const checkDb = await open(2);
  const migrateMs = performance.now() - t0;
  // Every pool the passes use is opened (and so migrated) now: nothing re-reads the migrations mid-run.
  const pools = {
    main: await open(JOB_DEFAULTS.concurrency),
    second: await open(SECOND.concurrency),
    workerA: await open(JOB_DEFAULTS.concurrency),
    workerB: await open(JOB_DEFAULTS.concurrency),
  };
  log(
    `migrated in ${int(migrateMs)} ms; seeding ${int(settings.lots)} matured lots over ${int(settings.creators)} creators…`,
  );

  const economy = loadEconomy();
  const seed = await seedLots(
    db.url,
    {
      matured: settings.lots,
      open: settings.open,
      creators: settings.creators,
      released: settings.released,
      reversed: settings.reversed,
      future: settings.future,
    },
    economy,
    log,
  );
  log(`seeded in ${sec(seed.seedMs)} (+ VACUUM ANALYZE ${sec(seed.vacuumMs)}); reconciling…`);
  const r0 = performance.now();
  const before = await reconcile(checkDb.db);
  const reconcileBeforeMs = performance.now() - r0;
  log(`reconcile before the runs: ${before.ok ? "ok" : "NOT OK"} (${sec(reconcileBeforeMs)})`);
  if (!before.ok) throw new Error(`the seed does not reconcile:\n${formatReport(before)}`);

  // Ranges of the backlog, in unlock order: main, second (next `side`), workers (last `side`).
  const j = seed.jobReleased;
  const atJob = atOf(seed, j);
  const atMain = atOf(seed, j + settings.main);
  const atSecond = atOf(seed, j + settings.main + settings.side);
  const atEnd = atOf(seed, settings.lots);
  const seedsIn = (a: number, b: number) =>
    [...seed.released, ...seed.reversed].filter((e) => e.n >= a && e.n <= b).length;
  const ranges: RangeExpectation[] = [
    {
      label: "main",
      after: atJob,
      upTo: atMain,
      expected: settings.main - seedsIn(j + 1, j + settings.main),
    },
    {
      label: "second",
      after: atMain,
      upTo: atSecond,
      expected: settings.side - seedsIn(j + settings.main + 1, j + settings.main + settings.side),
    },
    {
      label: "workers",
      after: atSecond,
      upTo: atEnd,
      expected: settings.side - seedsIn(j + settings.main + settings.side + 1, settings.lots),
    },
  ];
  const expectedReleases = ranges.reduce((n, r) => n + r.expected, 0);

  // The batch query's plans before any release: the first batch (no watermark yet) and a keyset batch.
  const plans: { title: string; plan: string; ms: number }[] = [];
  plans.push(
    await explainBatch(probe, checkDb, db.url, "first batch of the main pass (no watermark yet)", {
      from: new Date(-OVERLAP_MS),
      to: atMain,
      after: null,
    }),
  );
  plans.push(
    await explainBatch(probe, checkDb, db.url, "a keyset batch in the middle of the main range", {
      from: new Date(-OVERLAP_MS),
      to: atMain,
      after: { unlockAt: atOf(seed, j + Math.floor(settings.main / 2)), postingId: "" },
    }),
  );

  const pgbench = await pgbenchSession(adminUrl, { scale: 10, log });
  const refs: { label: string; run: PgbenchResult }[] = [];
  let passes: PassResult[];
  let findLotPlan: { title: string; plan: string; ms: number } | null = null;
  try {
    const reference = async (label: string, clients: number) => {
      if (settings.pgbenchWarmupSeconds > 0 && !refs.some((r) => r.run.clients === clients))
        await pgbench.run({ clients, threads: 2, seconds: settings.pgbenchWarmupSeconds });
      const run = await pgbench.run({ clients, threads: 2, seconds: settings.pgbenchSeconds });
      log(`pgbench -c ${clients} (${label}): ${int(run.tps)} tps`);
      refs.push({ label, run });
    };
    await reference("before main", JOB_DEFAULTS.concurrency);
    const main = await runPass(probe, [pools.main], db.url, {
      label: "main",
      at: atMain,
      workers: [JOB_DEFAULTS],
      expected: ranges[0]!.expected,
    });
    await reference("after main", JOB_DEFAULTS.concurrency);
    const findLot = ourStatements(main.statements).find((s) => /^\s*select p\.id as posting_id/.test(s.text));
    if (findLot) findLotPlan = await explain(db.url, "findLot of one lot (after its release)", findLot);
    const empty = await runPass(probe, [pools.main], db.url, {
      label: "empty sweep",
      at: atMain,
      workers: [JOB_DEFAULTS],
      expected: 0,
    });
    const emptyBatch = ourStatements(empty.statements).find(
      (s) => BATCH_QUERY.test(s.text) && !KEYSET.test(s.text),
    );
    if (emptyBatch)
      plans.push(await explain(db.url, "the empty sweep's batch query (right after it ran)", emptyBatch));
    await reference("before second", SECOND.concurrency);
    const second = await runPass(probe, [pools.second], db.url, {
      label: "second",
      at: atSecond,
      workers: [SECOND],
      expected: ranges[1]!.expected,
    });
    await reference("after second", SECOND.concurrency);
    const workers = await runPass(probe, [pools.workerA, pools.workerB], db.url, {
      label: "two workers",
      at: atEnd,
      workers: [JOB_DEFAULTS, JOB_DEFAULTS],
      expected: ranges[2]!.expected,
    });
    await reference("after workers", 2 * JOB_DEFAULTS.concurrency);
    passes = [main, empty, second, workers];
  } finally {
    await pgbench.drop();
  }
  probe.restore();

  log("checking every lot, the seeded ends, notifications and balances; reconciling the ledger…");
  const v0 = performance.now();
  const checks = await verifyReleases({
    dbUrl: db.url,
    seed,
    maturedUpTo: atEnd,
    ranges,
    expectedReleases,
    log,
    reportedReleased: passes.reduce((n, p) => n + released(p), 0),
    reportedFailed: passes.reduce((n, p) => n + failed(p), 0),
  });
  const [main, empty, second, workers] = passes as [PassResult, PassResult, PassResult, PassResult];
  checks.push({
    ok: released(empty) === 0 && failed(empty) === 0 && batches(empty) === 0,
    line: `the second sweep over the main range released nothing: released ${released(empty)}, skipped ${skipped(empty)}, failed ${failed(empty)}, ${batches(empty)} non-empty batches, in ${ms1(empty.ms)} ms`,
  });
  const [wa, wb] = workers.summaries as [ReleaseSummary, ReleaseSummary];
  checks.push({
    ok: wa.released + wb.released === ranges[2]!.expected && wa.failed + wb.failed === 0,
    line: `two concurrent workers released each lot of their range once between them: ${int(wa.released)} + ${int(wb.released)} = ${int(wa.released + wb.released)} of ${int(ranges[2]!.expected)} (skipped ${int(wa.skipped)} + ${int(wb.skipped)}: lots the other worker had just released), failed ${wa.failed + wb.failed}`,
  });
  const r1 = performance.now();
  const after = await reconcile(checkDb.db);
  const reconcileAfterMs = performance.now() - r1;
  const report = formatReport(after);
  checks.push({
    ok: after.ok,
    line: `ledger reconciliation (\`reconcile\`, what \`npm run ledger:check\` runs) before the runs: ${before.ok ? "ledger OK" : "NOT OK"} (${sec(reconcileBeforeMs)}); after them: ${report.split("\n").filter(Boolean).at(-1) ?? ""} (${report.split("\n")[0] ?? ""}, ${int(after.assetTotals.length)} assets at zero; ${sec(reconcileAfterMs)})`,
  });
  const verifyMs = performance.now() - v0;
  await checkDb.close();
  for (const pool of Object.values(pools)) await pool.close();

  const text = [
    header(machine, db),
    "",
    seedSection(seed, migrateMs, reconcileBeforeMs),
    "",
    passesSection(passes, refs, ranges),
    "",
    memorySection(passes),
    "",
    statementsSection(main, second, workers),
    "",
    plansSection(plans, findLotPlan),
    "",
    checksSection(checks, verifyMs),
  ].join("\n");
  console.log(`\n${HEADING}\n\n${text}\n`);
  await writeResultsSection(RESULTS_FILE, HEADING, text);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (section "${HEADING.slice(3)}")`);
  const failures = checks.filter((c) => !c.ok);
  for (const f of failures) console.error(`[bench] check failed: ${f.line}`);
  return failures.length > 0 ? 1 : 0;
}

/**
 * One pass: `releaseMatured` once per worker (each with its own pool of `concurrency` connections), all at
 * the same time, up to `at`; the pools were opened before the seed. Statements, memory, CPU and
 * pg_stat_activity are sampled throughout.
 */
async function runPass(
  probe: StatementProbe,
  databases: Database[],
  url: string,
  pass: { label: string; at: Date; workers: Required<ReleaseOptions>[]; expected: number },
): Promise<PassResult> {
  if (databases.length !== pass.workers.length) throw new Error("one pool per worker");
  const failures: string[] = [];
  const deps = (db: Database) => ({
    db: db.db,
    log: {
      error(obj: unknown, msg: string) {
        const err = (obj as { err?: unknown }).err;
        if (failures.length < 5) failures.push(`${msg}: ${err instanceof Error ? err.message : String(err)}`);
      },
    },
  });
  log(
    `${pass.label}: releaseMatured up to ${pass.at.toISOString()} (${pass.workers.map((w) => `batch ${w.batchSize}, concurrency ${w.concurrency}`).join(" + ")}), ${int(pass.expected)} lots due…`,
  );
  const waits = await sampleWaits(url);
  const cpu0 = cpuSnapshot({ bench: process.pid });
  const memory = memorySampler(1000);
  probe.start();
  const t0 = performance.now();
  const progress = setInterval(() => {
    const done = probe.countOf("ledger_post");
    const s = (performance.now() - t0) / 1000;
    const m = process.memoryUsage();
    log(
      `${pass.label}: ${int(done)}/${int(pass.expected)} released, ${int(done / s)} lots/s, ${int(s)} s; rss ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} MiB`,
    );
  }, PROGRESS_EVERY_MS);
  const workerMs: number[] = [];
  let summaries: ReleaseSummary[];
  try {
    summaries = await Promise.all(
      databases.map(async (db, i) => {
        const w0 = performance.now();
        const summary = await releaseMatured(deps(db), pass.at, pass.workers[i]!);
        workerMs[i] = performance.now() - w0;
        return summary;
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const ms = performance.now() - t0;
  const statements = probe.stop();
  const mem = memory.stop();
  const cpu = cpuUsage(cpu0, cpuSnapshot({ bench: process.pid }));
  waits.stop();
  const waitSamples = await waits.result;
  const result: PassResult = {
    label: pass.label,
    workers: pass.workers,
    at: pass.at,
    summaries,
    ms,
    workerMs,
    statements,
    memory: mem,
    cpu,
    waits: waitSamples,
    failures,
  };
  log(
    `${pass.label}: released ${int(released(result))}, skipped ${int(skipped(result))}, failed ${failed(result)}, ${int(batches(result))} batches in ${sec(ms)} (${int(rateOf(result))} lots/s); ${formatNumber(ourStatements(statements).reduce((n, s) => n + s.count, 0) / Math.max(1, released(result) + skipped(result)), 2)} statements per lot; rss ${mib(mem.rss.start)} → max ${mib(mem.rss.max)} → ${mib(mem.rss.end)} MiB`,
  );
  for (const f of failures) console.error(`[bench] ${pass.label}: ${f}`);
  return result;
}

/** The batch query as repository.maturedLots sends it (captured from the driver), then EXPLAIN ANALYZE. */
async function explainBatch(
  probe: StatementProbe,
  database: Database,
  url: string,
  title: string,
  range: Parameters<typeof maturedLots>[1],
) {
  probe.start();
  await maturedLots(database.db, range, JOB_DEFAULTS.batchSize);
  const stat = probe.stop().find((s) => BATCH_QUERY.test(s.text));
  if (!stat) throw new Error("maturedLots sent no statement the probe could see");
  return explain(url, title, stat);
}

async function explain(url: string, title: string, stat: Pick<StatementStat, "text" | "values">) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `explain (analyze, buffers) ${stat.text}`,
      stat.values,
    );
    const ms = performance.now() - t0;
    return { title, plan: rows.map((r) => r["QUERY PLAN"]).join("\n"), ms };
  } finally {
    await client.end();
  }
}

function header(machine: MachineInfo, db: BenchDatabase): string {
  return [
    `Run ${new Date().toISOString()} · \`releaseMatured\` in the bench process with the backend's \`openDatabase\` (node-postgres pool, pipelined; one pool per worker, max = its concurrency) · ${int(settings.lots)} matured lots · whole bench ${sec(performance.now() - startedAt)}`,
    "",
    `- CPU: ${machine.cpuModel} × ${machine.cpuCount} (${machine.memoryGiB} GiB RAM, ${machine.os})`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${db.serverVersion}`,
    `- The bench process (the job), PostgreSQL and pgbench share this machine (1-min load average ${formatNumber(loadAtStart, 1)} at the start, ${formatNumber(os.loadavg()[0] ?? 0, 1)} at the end, other work included): compare the ratios to pgbench taken in the same run, not absolute numbers`,
  ].join("\n");
}

function seedSection(seed: LotSeed, migrateMs: number, reconcileBeforeMs: number): string {
  const c = seed.counts;
  const table = markdownTable(
    ["Rows", "In the database"],
    [
      [`users (creators)`, int(c.users ?? 0)],
      [
        "accounts (3 per creator, the pending shards lots landed on, creator_payable shards)",
        `${int(c.accounts ?? 0)} (${int(c.pending_accounts ?? 0)} pending, ${int(c.platform_accounts ?? 0)} platform)`,
      ],
      ["ledger_transactions (one per lot + the seeded ends)", int(c.ledger_transactions ?? 0)],
      ["postings (two per transaction)", int(c.postings ?? 0)],
      [
        `lots (status pending, amount > 0): ${int(seed.sizes.matured)} matured + ${int(seed.sizes.future)} not due`,
        int(c.lots ?? 0),
      ],
      [
        `lot ends: ${int(c.job_ends ?? 0)} + ${seed.released.length} released by the per-lot job (\`coin_release\`), ${seed.reversed.length} reversed (\`creator_remix_reversal\`)`,
        int(c.lot_ends ?? 0),
      ],
      [
        "sizes (MiB): postings with its indexes, postings_lots_unlock_idx; ledger_transactions with its indexes, ledger_transactions_lot_end_uq",
        `${int(c.postings_mb ?? 0)}, ${int(c.unlock_idx_mb ?? 0)}; ${int(c.transactions_mb ?? 0)}, ${int(c.lot_end_idx_mb ?? 0)}`,
      ],
    ],
    [1],
  );
  const steps = seed.steps.map((s) => `${s.name} ${sec(s.ms)}`).join(", ");
  return [
    "### (a) Seed",
    "",
    `Set-based SQL (\`coins-release/seed.ts\`: generate_series and INSERT … SELECT, a dozen statements whatever the size) on a database migrated by the backend's own migration code (${int(migrateMs)} ms). ${int(seed.sizes.creators)} creators with the accounts sign-up creates. **${int(seed.sizes.matured)} matured lots**, each a tip income (\`tip:{id}\`, \`tip_spend\`) with the coin side of \`incomePostings\`: the creator's pending shard picked by the payer (\`pendingShard\`; the payer is another creator) +amount (the creator share of a ${economyTips(seed)} tip), status pending, unlock_at = created_at + 7 days, and the payer's \`platform:coins:creator_payable\` shard −amount. Lot n unlocks in its own slot of the ${formatNumber((seed.stepMs * seed.sizes.matured) / DAY_MS, 2)} days before the seed. The older ${int(seed.jobReleased)} were released by the per-lot job \`coins.release_lot\` a few minutes after their unlock (a \`coin_release\` transaction \`lot:{posting}:release\`, ref_type lot, as \`releaseLot\` writes it, metadata marked \`bench_seed\`); **the newest ${int(seed.sizes.open)} are the backlog** (their per-lot jobs lost), cut into the disjoint unlock ranges the passes release; inside it ${seed.released.length} lots were released by their per-lot job after all, and ${seed.reversed.length} lots spread over all are remix incomes reversed before maturity (\`lot:{posting}:reverse\`, \`creator_remix_reversal\`). ${int(seed.sizes.future)} more lots unlock after the seed. \`balance_after\` is each account's running balance, \`accounts.balance\` the sum of its postings (\`reconcile\` is clean before the runs, ${sec(reconcileBeforeMs)}). Ids are UUIDv7-shaped from the row's time, like \`newId\`. The ledger inserts ran with the foreign-key triggers off (checked afterwards with one anti-join) and the ledger's secondary indexes dropped and rebuilt from their own \`pg_get_indexdef\` afterwards. Seed ${sec(seed.seedMs)} (${steps}), then VACUUM (ANALYZE, FREEZE) ${sec(seed.vacuumMs)} (postings: ${int(seed.counts.postings_all_visible ?? 0)} of ${int(seed.counts.postings_pages ?? 0)} pages all-visible, as an old table's are).`,
    "",
    table,
  ].join("\n");
}

const economyTips = (seed: LotSeed) =>
  `${seed.tipShares.map((s) => formatNumber(Number(s) / 1000, 3)).join(" / ")}-coin`;

function refsFor(refs: { label: string; run: PgbenchResult }[], labels: string[]) {
  return refs.filter((r) => labels.includes(r.label)).map((r) => r.run);
}

function passesSection(
  passes: PassResult[],
  refs: { label: string; run: PgbenchResult }[],
  ranges: RangeExpectation[],
): string {
  const [main, empty, second, workers] = passes as [PassResult, PassResult, PassResult, PassResult];
  const refOf: Record<string, PgbenchResult[]> = {
    main: refsFor(refs, ["before main", "after main"]),
    second: refsFor(refs, ["before second", "after second"]),
    "two workers": refsFor(refs, ["after second", "after workers"]),
  };
  const meanTps = (rs: PgbenchResult[]) => (rs.length ? rs.reduce((n, r) => n + r.tps, 0) / rs.length : 0);
  const statementsPerLot = (p: PassResult) =>
    ourStatements(p.statements).reduce((n, s) => n + s.count, 0) / Math.max(1, released(p) + skipped(p));
  const row = (p: PassResult) => {
    const rs = refOf[p.label] ?? [];
    const tps = meanTps(rs);
    return [
      p.label,
      p.workers.map((w) => `${w.batchSize} / ${w.concurrency}`).join(" + "),
      int(released(p)),
      int(skipped(p)),
      String(failed(p)),
      int(batches(p)),
      sec(p.ms),
      p.label === "empty sweep" ? "—" : int(rateOf(p)),
      rs.length ? `${int(tps)} (${rs.map((r) => int(r.tps)).join(", ")})` : "—",
      rs.length && tps > 0 ? pct((100 * rateOf(p)) / tps) : "—",
      p.label === "empty sweep"
        ? String(ourStatements(p.statements).reduce((n, s) => n + s.count, 0))
        : formatNumber(statementsPerLot(p), 2),
      `${formatNumber(p.cpu.machinePercent, 0)} %`,
      formatNumber(p.cpu.processCores.bench ?? 0, 2),
      formatNumber(p.cpu.postgresCores, 2),
      formatNumber(p.cpu.otherCores, 2),
      p.label === "empty sweep"
        ? "—"
        : formatNumber(
            ((p.cpu.processCores.bench ?? 0) * p.cpu.seconds * 1000) / Math.max(1, released(p)),
            2,
          ),
    ];
  };
  const table = markdownTable(
    [
      "Pass",
      "batch / concurrency",
      "released",
      "skipped",
      "failed",
      "batches",
      "wall",
      "lots/s",
      "pgbench tps, same clients (before, after)",
      "lots/s ÷ pgbench tps",
      "statements per lot",
      "CPU busy",
      "bench (cores)",
      "postgres (cores)",
      "other (cores)",
      "bench CPU per lot (ms)",
    ],
    passes.map(row),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  );
  const firstBatchMs = (p: PassResult) =>
    ourStatements(p.statements).find((x) => BATCH_QUERY.test(x.text) && !KEYSET.test(x.text))?.maxMs ?? null;
  const firstBatch = (p: PassResult) => {
    const v = firstBatchMs(p);
    return v === null ? "—" : ms1(v);
  };
  const walked = settings.lots - settings.open + settings.main;
  const keysetBatch = (p: PassResult) => {
    const s = ourStatements(p.statements).find((x) => BATCH_QUERY.test(x.text) && KEYSET.test(x.text));
    return s ? `${ms1(s.totalMs / s.count)} ms mean, ${ms1(s.maxMs)} ms max over ${int(s.count)}` : "none";
  };
  const ref = refs[0]?.run;
  const [wa, wb] = workers.summaries;
  const rangeLine = ranges
    .map((r) => `**${r.label}** ${int(r.expected)} open lots up to ${r.upTo.toISOString()}`)
    .join(", ");
  return [
    "### (b) Release passes",
    "",
    `\`releaseMatured({ db, log }, at, { batchSize, concurrency })\` (backend/src/modules/coins/release.ts) called in the bench process, as the \`coins.release\` job calls it, over the backlog's disjoint unlock ranges in this order: ${rangeLine}. **main**: the main range at the job's defaults (batch 500, concurrency 4), one call; there is no watermark yet, so its sweep starts at the oldest lot and its first batch query walks the ${int(settings.lots - settings.open)} lots the per-lot job released before reaching the backlog; **empty sweep**: the same call again right after (same \`at\`, 1 hour below the new watermark: it must release nothing) — what an hourly run costs when there is nothing to do; **second**: the next range at batch 1000, concurrency 8; **two workers**: two concurrent calls at the defaults on two separate pools over the last range. lots/s = lots released ÷ wall time of the pass (first statement to the last worker's return). pgbench (\`${ref?.command.replace(/-T \d+/, `-T ${settings.pgbenchSeconds}`) ?? "pgbench"}\`, ${ref?.version ?? ""}, a ${settings.pgbenchWarmupSeconds} s warm-up before each client count's first run) ran with the job idle right before and after each pass at the pass's client count (4, 8, and 2 × 4); the ratio uses the mean of the two runs. Statements per lot: every statement node-postgres sent during the pass (\`pg.Client.prototype.query\` wrapped: begin, commit, batch queries and the watermark included) ÷ lots handled (released + skipped). CPU from /proc: busy share of both CPUs, cores used by the bench process (the job's JS and the driver), by every \`postgres\` process and by everything else (other work on this shared machine).`,
    "",
    table,
    "",
    `- **Main pass: ${int(rateOf(main))} lots/s over ${int(released(main))} lots = ${pct((100 * rateOf(main)) / Math.max(1, meanTps(refOf.main ?? [])))} of pgbench's TPC-B-like tps at 4 clients** (${int(batches(main))} batches of ${JOB_DEFAULTS.batchSize}); at that rate a backlog of 1,000,000 lots takes ${formatNumber(1_000_000 / Math.max(1, rateOf(main)) / 60, 0)} min.`,
    `- **Empty sweep** (a second run right after the main pass: it starts 1 hour below the watermark the main pass left, so it walks only the lots that ended in that hour, not the ${int(walked)} ended lots of the history): **${ms1(empty.ms)} ms**, released ${released(empty)}; its one batch query took ${firstBatch(empty)} ms.`,
    `- First batch query of each pass (no keyset yet; it starts 1 hour below the watermark, at the epoch when there is none): main ${firstBatch(main)} ms, second ${firstBatch(second)} ms, two workers ${firstBatch(workers)} ms. Keyset batches: main ${keysetBatch(main)}; second ${keysetBatch(second)}.`,
    `- Two workers: ${int(wa?.released ?? 0)} + ${int(wb?.released ?? 0)} released, ${int(wa?.skipped ?? 0)} + ${int(wb?.skipped ?? 0)} skipped (the other worker had just released the lot: \`releaseLot\` answered \`already\` under the lot's advisory lock), so each worker handled ${int((wa?.released ?? 0) + (wa?.skipped ?? 0))} and ${int((wb?.released ?? 0) + (wb?.skipped ?? 0))} of the range's ${int(released(workers))} lots; ${int(wa?.batches ?? 0)} + ${int(wb?.batches ?? 0)} batches, ${workers.workerMs.map((m) => sec(m)).join(" and ")}; together ${int(rateOf(workers))} lots/s vs ${int(rateOf(second))} lots/s for one call at concurrency 8 and ${int(rateOf(main))} at 4.`,
    ...passes.flatMap((p) => p.failures.map((f) => `- ${p.label}: ${f}`)),
    "",
    `Where the PostgreSQL sessions were during the main pass (\`pg_stat_activity\` every 100 ms, non-idle client sessions, ${int(main.waits.snapshots)} snapshots; "avg sessions" = samples / snapshots):`,
    "",
    markdownTable(
      ["State, wait event", "Statement (start)", "avg sessions"],
      main.waits.top.map((x) => [
        x.state,
        `\`${x.statement.replaceAll("`", "'")}\``,
        formatNumber(x.samples / Math.max(1, main.waits.snapshots), 2),
      ]),
      [2],
    ),
  ].join("\n");
}

function memorySection(passes: PassResult[]): string {
  const table = markdownTable(
    [
      "Pass",
      "batches",
      "samples (1 s)",
      "RSS start / max / end (MiB)",
      "RSS max − start",
      "heapUsed start / max / end (MiB)",
      "heapUsed max − start",
      "heapUsed max per tenth of the pass (MiB)",
    ],
    passes.map((p) => [
      p.label,
      int(batches(p)),
      int(p.memory.samples),
      `${mib(p.memory.rss.start)} / ${mib(p.memory.rss.max)} / ${mib(p.memory.rss.end)}`,
      mib(p.memory.rss.max - p.memory.rss.start),
      `${mib(p.memory.heapUsed.start)} / ${mib(p.memory.heapUsed.max)} / ${mib(p.memory.heapUsed.end)}`,
      mib(p.memory.heapUsed.max - p.memory.heapUsed.start),
      p.memory.heapByTenth.map((v) => formatNumber(v / 2 ** 20, 0)).join(", "),
    ]),
    [1, 2, 4, 6],
  );
  return [
    "### (c) Memory of the job's process",
    "",
    "`process.memoryUsage()` of the bench process at the start of each pass, every second during it and at its end (the statement probe's per-statement counters are a few dozen entries and do not grow with the lots).",
    "",
    table,
  ].join("\n");
}

const IDENT = String.raw`"\w+"(?:\."\w+")?(?: as "\w+")?`;
const SELECT_LIST = new RegExp(`^select (?:${IDENT}, )*${IDENT} from`);

function labelOf(s: StatementStat): string {
  const text = s.text.replace(/\s+/g, " ").trim();
  if (s.key !== s.text) return `\`${s.key}\` (prepared)`;
  if (/^begin$|^commit$/.test(text)) return `\`${text}\``;
  if (/pg_advisory_xact_lock/.test(text)) return "`pg_advisory_xact_lock(hashtext('lot:…'))` (lockKey)";
  if (/^select p\.id as posting_id/.test(text))
    return "findLot (`select … from postings p join accounts a … left join ledger_transactions e …`)";
  if (/for update$/.test(text))
    return "lockedBalancesOf (`select id, balance from accounts where id in (…) order by id for update`)";
  if (BATCH_QUERY.test(text))
    return /\(p\.unlock_at, p\.id\) >/.test(text)
      ? "maturedLots, keyset batch (`… and (p.unlock_at, p.id) > (…) …`)"
      : "maturedLots, first batch";
  if (/^select at from job_watermarks/.test(text)) return "readWatermark";
  if (/^insert into job_watermarks/.test(text)) return "advanceWatermark";
  const short = text.replace(SELECT_LIST, "select … from");
  return `\`${short.length > 80 ? `${short.slice(0, 79)}…` : short}\``;
}

function statementsSection(main: PassResult, second: PassResult, workers: PassResult): string {
  const handled = (p: PassResult) => Math.max(1, released(p) + skipped(p));
  const perLot = (p: PassResult, s: StatementStat | undefined) =>
    !s
      ? "—"
      : s.count / handled(p) < 0.01
        ? `${int(s.count)} in all`
        : formatNumber(s.count / handled(p), s.count / handled(p) < 0.1 ? 4 : 2);
  const mean = (s: StatementStat | undefined) => (s ? ms1(s.totalMs / s.count) : "—");
  const find = (p: PassResult, key: string) => ourStatements(p.statements).find((s) => s.key === key);
  const keys = ourStatements(main.statements).map((s) => s.key);
  for (const p of [second, workers])
    for (const s of ourStatements(p.statements)) if (!keys.includes(s.key)) keys.push(s.key);
  const rows = keys.map((key) => {
    const any = find(main, key) ?? find(second, key) ?? find(workers, key)!;
    return [
      labelOf(any),
      perLot(main, find(main, key)),
      mean(find(main, key)),
      perLot(second, find(second, key)),
      mean(find(second, key)),
      perLot(workers, find(workers, key)),
      mean(find(workers, key)),
    ];
  });
  const total = (p: PassResult) => ourStatements(p.statements).reduce((n, s) => n + s.count, 0);
  rows.push([
    "**all**",
    formatNumber(total(main) / handled(main), 2),
    "",
    formatNumber(total(second) / handled(second), 2),
    "",
    formatNumber(total(workers) / handled(workers), 2),
    "",
  ]);
  const perLotMs = (p: PassResult) => (p.ms * p.workers.reduce((n, w) => n + w.concurrency, 0)) / handled(p);
  return [
    "### (d) Statements per lot",
    "",
    `Every statement node-postgres sent during the pass, by statement (prepared name or text), ÷ lots handled (released + skipped), with the mean time from issue to answer in ms (pipelined statements also wait for the ones sent before them on the connection; under concurrency it includes queueing in PostgreSQL). Per lot \`releaseOne\` runs one transaction: begin (pipelined with the lock), the per-lot advisory lock, findLot, the shard row FOR UPDATE, \`ledger_post\`, the notification write (pipelined with the commit) and commit: 5 round trips. Wall time per lot per connection: main ${ms1(perLotMs(main))} ms, second ${ms1(perLotMs(second))} ms, two workers ${ms1(perLotMs(workers))} ms.`,
    "",
    markdownTable(
      [
        "Statement",
        "main: per lot",
        "main: ms",
        "second: per lot",
        "second: ms",
        "two workers: per lot",
        "two workers: ms",
      ],
      rows,
      [1, 2, 3, 4, 5, 6],
    ),
  ].join("\n");
}

function plansSection(
  plans: { title: string; plan: string; ms: number }[],
  findLot: { title: string; plan: string; ms: number } | null,
): string {
  const all = findLot ? [...plans, findLot] : plans;
  return [
    "### (e) Plans",
    "",
    "`EXPLAIN (ANALYZE, BUFFERS)` of the statements as the driver sent them (text and parameters captured by the probe).",
    "",
    ...all.flatMap((p) => [`${p.title} (${ms1(p.ms)} ms with EXPLAIN):`, "", "```text", p.plan, "```", ""]),
  ]
    .join("\n")
    .trimEnd();
}

function checksSection(checks: Check[], verifyMs: number): string {
  return [
    "### (f) Checks",
    "",
    `After every pass, the pools closed (\`coins-release/verify.ts\`, ${sec(verifyMs)}); the bench exits non-zero when one fails.`,
    "",
    ...checks.map((ch) => `- Check: ${ch.line} — ${ch.ok ? "PASS" : "FAIL"}`),
  ].join("\n");
}

installSignalHandlers();
let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await runCleanup();
}
process.exit(exitCode);
