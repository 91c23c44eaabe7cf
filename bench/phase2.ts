/**
 * Phase 2 bench: the community. (a) builds the seed (10,000 users, 100,000 works, 1,000,000 likes,
 * 200,000 favorites, 50,000 tips, follows) through SQL on a fresh migrated database, refreshes the feed
 * snapshots and runs VACUUM ANALYZE; (b) loads GET /api/v1/feed?tab=discover|hot (first and deep page,
 * anonymous and signed in) next to the bare Fastify route in interleaved rounds; (c) loads POST
 * /works/{id}/tip_and_favorite with 200 payers → 200 creators and 200 payers → one creator, then
 * checks tips rows = successful answers, the counters against the rows and the ledger reconciliation,
 * and runs pgbench's TPC-B-like load at the same concurrency as the write reference. Rewrites the
 * "Phase 2" section of bench/RESULTS.md (`BENCH_ONLY=seed|feed|tips`: only that subsection, plus the
 * seed's, which every run rebuilds). See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { rm, rmdir } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openDatabase } from "../backend/src/db/client.js";
import { formatReport, reconcile } from "../backend/src/ledger/reconcile.js";
import { systemClock } from "../backend/src/lib/clock.js";
import { refreshFeedSnapshots } from "../backend/src/modules/feed/service.js";
import { loginWithSms } from "./lib/api.js";
import { installSignalHandlers, onCleanup, runCleanup } from "./lib/cleanup.js";
import type { CpuUsage } from "./lib/cpu.js";
import { type BenchDatabase, createBenchDatabase, DEFAULT_ADMIN_URL, redactUrl } from "./lib/database.js";
import { envFlag, envInt } from "./lib/env.js";
import { type Measurement, median, problemsOf } from "./lib/load.js";
import { describeMachine, type MachineInfo } from "./lib/machine.js";
import { pgbenchSession } from "./lib/pgbench.js";
import { freePort } from "./lib/ports.js";
import { formatNumber, markdownTable, writeResultsSection, writeResultsSubsection } from "./lib/results.js";
import { type ServerChild, StartError, startServer } from "./lib/server-child.js";
import type { WaitSamples } from "./lib/waits.js";
import { benchFeed, type FeedResult } from "./phase2/feed.js";
import {
  buildSeed,
  checkSeedCounters,
  DEFAULT_SEED,
  type SeedResult,
  type SeedSizes,
  vacuumAnalyze,
} from "./phase2/seed.js";
import { benchTips, type Payer, type TipsResult } from "./phase2/tips.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const RESULTS_FILE = path.join(BENCH_DIR, "RESULTS.md");
const HEADING = "## Phase 2: community";
const SEED_SUBSECTION = "### (a) Seed";
const FEED_SUBSECTION = "### (b) Feed";
const TIPS_SUBSECTION = "### (c) Tips";
const HOST = "127.0.0.1";

const FEED_P99_TARGET_MS = 50;
const FEED_TARGET_PERCENT = 30;
const TIPS_TARGET_PERCENT = 35;
const ONE_CREATOR_TARGET_PERCENT = 50;
const TIP_AMOUNT = 10;

const divisor = envInt("BENCH_SEED_DIVISOR", 1, { min: 1, max: 1000 });
const settings = {
  seconds: envInt("BENCH_SECONDS", 10, { min: 1, max: 3600 }),
  warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2, { min: 0, max: 600 }),
  connections: envInt("BENCH_CONNECTIONS", 50, { min: 1, max: 10_000 }),
  rounds: envInt("BENCH_ROUNDS", 3, { min: 1, max: 20 }),
  payers: envInt("BENCH_TIP_PAYERS", 200, { min: 2, max: 2000 }),
  deepPages: envInt("BENCH_FEED_DEEP_PAGES", 50, { min: 1, max: 1000 }),
  only: process.env.BENCH_ONLY?.trim() || null,
  verbose: envFlag("BENCH_VERBOSE"),
  enforceTarget: envFlag("BENCH_ENFORCE_TARGET"),
  seed: Object.fromEntries(
    Object.entries(DEFAULT_SEED).map(([k, v]) => [
      k,
      k === "followsPerUser" || k === "creditsPerUser" ? v : Math.max(1, Math.round(v / divisor)),
    ]),
  ) as unknown as SeedSizes,
};
const FEED_LIMIT = 20;

const log = (message: string) => console.log(`[bench] ${message}`);
const ms = (n: number) => formatNumber(n, 0);
const s1 = (msValue: number) => `${formatNumber(msValue / 1000, 1)} s`;

interface Prepared {
  seed: SeedResult;
  migrateMs: number;
  refresh: {
    ms: number;
    discover: { version: number; size: number };
    hot: { version: number; size: number };
  };
  vacuumMs: number;
  seedProblems: string[];
}

const loadAtStart = os.loadavg()[0] ?? 0;

async function main(): Promise<number> {
  const only = settings.only;
  if (only !== null && !["seed", "feed", "tips"].includes(only)) {
    throw new Error(`BENCH_ONLY must be "seed", "feed", "tips" or unset, got "${only}"`);
  }
  if (
    settings.payers > settings.seed.creators ||
    settings.seed.creators + settings.payers > settings.seed.users
  ) {
    throw new Error("BENCH_TIP_PAYERS needs that many creators and that many users who own no work");
  }
  const adminUrl = process.env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
  const machine = describeMachine();
  const tmpRoot = path.join(BENCH_DIR, ".tmp", `phase2_${randomBytes(6).toString("hex")}`);
  onCleanup(`remove ${tmpRoot}`, async () => {
    await rm(tmpRoot, { recursive: true, force: true });
    await rmdir(path.dirname(tmpRoot)).catch(() => undefined);
  });

  const db = await createBenchDatabase(adminUrl);
  log(`created database ${db.name} on ${redactUrl(adminUrl)}`);
  // The backend's own migration code (it runs at every start): the same schema the backend will see.
  const t0 = performance.now();
  const database = await openDatabase({
    databaseUrl: db.url,
    pgliteDir: path.join(tmpRoot, "unused"),
    poolMax: 4,
  });
  onCleanup("close the bench's database pool", () => database.close());
  const migrateMs = performance.now() - t0;
  log(`migrated in ${ms(migrateMs)} ms; building the seed…`);

  const seed = await buildSeed(db.url, settings.seed, log);
  const seedProblems = await checkSeedCounters(db.url);
  const r0 = performance.now();
  const snap = await refreshFeedSnapshots({ db: database.db, clock: systemClock });
  const refreshMs = performance.now() - r0;
  log(
    `feed snapshots refreshed in ${ms(refreshMs)} ms (discover v${snap.discover.version}: ${snap.discover.size}, hot v${snap.hot.version}: ${snap.hot.size})`,
  );
  const vacuumMs = await vacuumAnalyze(db.url);
  log(`VACUUM ANALYZE: ${ms(vacuumMs)} ms`);
  const prepared: Prepared = {
    seed,
    migrateMs,
    refresh: { ms: refreshMs, ...snap },
    vacuumMs,
    seedProblems,
  };
  const seedPart = seedSection(prepared);

  if (only === "seed") {
    console.log(`\n${seedPart.text}\n`);
    await writeResultsSubsection(RESULTS_FILE, HEADING, SEED_SUBSECTION, seedPart.text);
    log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (subsection "${SEED_SUBSECTION.slice(4)}")`);
    return report(seedPart.failures);
  }

  const { backend, bare } = await startServers(db, tmpRoot);
  const payers = await logInPayers(backend, seed);

  let feed: FeedResult | null = null;
  if (only !== "tips") {
    feed = await benchFeed({
      backend,
      bare,
      tokens: payers.map((p) => p.token),
      connections: settings.connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      rounds: settings.rounds,
      deepPages: settings.deepPages,
      limit: FEED_LIMIT,
      log,
    });
  }

  let tips: TipsResult | null = null;
  if (only !== "feed") {
    const targets = await tipTargets(db.url, seed);
    const pgbench = await pgbenchSession(adminUrl, { scale: 10, log });
    tips = await benchTips({
      backend,
      dbUrl: db.url,
      payers,
      manyWorks: targets.many,
      oneWork: targets.one,
      amount: TIP_AMOUNT,
      connections: settings.connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      rounds: settings.rounds,
      pgbench,
      log,
    }).finally(() => pgbench.drop());
  }
  await Promise.all([backend.stop(), bare.stop()]);

  let tipsPart: { text: string; failures: string[]; targetMisses: string[] } | null = null;
  if (tips) {
    log("reconciling the ledger (ledger:check) and recounting the counters…");
    const report = await reconcile(database.db);
    const ledger = { ok: report.ok, output: formatReport(report) };
    const counterProblems = await checkSeedCounters(db.url);
    tipsPart = tipsSection(tips, ledger, counterProblems);
  }
  const feedPart = feed ? feedSection(feed) : null;

  console.log(`\n${[seedPart.text, feedPart?.text, tipsPart?.text].filter(Boolean).join("\n\n")}\n`);

  const measured: Measurement[] = [
    ...(feed?.targets.flatMap((t) => t.rounds) ?? []),
    ...(tips ? [...tips.many.runs, ...tips.one.runs].map((r) => r.m) : []),
  ];
  const problems = measured.flatMap((m) => problemsOf(m).map((p) => `${m.name}: ${p}`));
  if (problems.length > 0) {
    for (const p of problems) console.error(`[bench] ${p}`);
    console.error(`[bench] measurements are not valid: ${RESULTS_FILE} left unchanged`);
    return 1;
  }

  if (only === null) {
    await writeResultsSection(
      RESULTS_FILE,
      HEADING,
      [header(machine, db), "", seedPart.text, "", feedPart?.text ?? "", "", tipsPart?.text ?? ""].join("\n"),
    );
    log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (section "${HEADING.slice(3)}")`);
  } else {
    await writeResultsSubsection(RESULTS_FILE, HEADING, SEED_SUBSECTION, seedPart.text);
    const part = only === "feed" ? feedPart : tipsPart;
    const sub = only === "feed" ? FEED_SUBSECTION : TIPS_SUBSECTION;
    if (part) await writeResultsSubsection(RESULTS_FILE, HEADING, sub, part.text);
    log(
      `wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (subsections "${SEED_SUBSECTION.slice(4)}", "${sub.slice(4)}")`,
    );
  }
  const failures = [...seedPart.failures, ...(tipsPart?.failures ?? [])];
  const misses = [...(feedPart?.targetMisses ?? []), ...(tipsPart?.targetMisses ?? [])];
  for (const miss of misses) console.error(`[bench] target missed: ${miss}`);
  if (misses.length > 0 && settings.enforceTarget) {
    console.error("[bench] target missed and BENCH_ENFORCE_TARGET is set");
    failures.push(...misses);
  }
  return report(failures);
}

function report(failures: string[]): number {
  for (const f of failures) console.error(`[bench] check failed: ${f}`);
  return failures.length > 0 ? 1 : 0;
}

function header(machine: MachineInfo, db: BenchDatabase): string {
  const autocannon = (createRequire(import.meta.url)("autocannon/package.json") as { version: string })
    .version;
  return [
    `Run ${new Date().toISOString()} · autocannon ${autocannon} (programmatic, in the bench process) · ${settings.connections} connections`,
    "",
    `- CPU: ${machine.cpuModel} × ${machine.cpuCount} (${machine.memoryGiB} GiB RAM, ${machine.os})`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${db.serverVersion}`,
    `- Backend: \`node --import tsx backend/src/main.ts api\` (no Redis, so the in-process outbox runs the jobs; the api role schedules no cron, so the feed snapshot is the one refreshed after the seed), NODE_ENV=development, LOG_LEVEL=warn, TRUST_PROXY=true, node-postgres pool max ${process.env.DATABASE_POOL_MAX || "10 (default)"}, fresh database`,
    `- Load generator, backend, bare server and PostgreSQL share this machine (1-min load average ${formatNumber(loadAtStart, 1)} at the start, ${formatNumber(os.loadavg()[0] ?? 0, 1)} at the end, other work included): compare ratios taken in the same run, not absolute numbers`,
  ].join("\n");
}

async function startServers(
  db: BenchDatabase,
  tmpRoot: string,
): Promise<{ backend: ServerChild; bare: ServerChild }> {
  const backendPort = await freePort(HOST);
  let barePort = await freePort(HOST);
  while (barePort === backendPort) barePort = await freePort(HOST);
  log("starting the backend (api role) and the bare Fastify server…");
  const [backend, bare] = await Promise.all([
    startServer({
      name: "backend",
      args: [
        ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
        "--import",
        "tsx",
        "backend/src/main.ts",
        "api",
      ],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: "development",
        LOG_LEVEL: "warn",
        LOG_PRETTY: "false",
        HOST,
        PORT: String(backendPort),
        DATA_DIR: path.join(tmpRoot, "data"),
        DATABASE_URL: db.url,
        REDIS_URL: "",
        // Every payer logs in from its own X-Forwarded-For (the SMS send limit is 20 per hour per IP).
        TRUST_PROXY: "true",
        DEV_TOOLS: "1",
      },
      host: HOST,
      port: backendPort,
      verbose: settings.verbose,
    }),
    startServer({
      name: "bare",
      args: ["--import", "tsx", path.join(BENCH_DIR, "servers", "bare.ts")],
      cwd: BENCH_DIR,
      env: { ...process.env, NODE_ENV: "production", HOST, PORT: String(barePort) },
      host: HOST,
      port: barePort,
      verbose: settings.verbose,
    }),
  ]);
  log(`backend ${backend.baseUrl} (pid ${backend.pid}), bare ${bare.baseUrl} (pid ${bare.pid})`);
  return { backend, bare };
}

/** The payers: seeded users who own no work (n = creators+1 …), logged in through SMS. */
async function logInPayers(backend: ServerChild, seed: SeedResult): Promise<Payer[]> {
  const chosen = seed.users.slice(seed.sizes.creators, seed.sizes.creators + settings.payers);
  const payers: Payer[] = new Array(chosen.length);
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const i = next++;
      const u = chosen[i]!;
      const ip = `10.78.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      const login = await loginWithSms(backend.baseUrl, u.phone, 15_000, { "x-forwarded-for": ip });
      if (login.userId !== u.id)
        throw new Error(`phone ${u.phone} logged in as ${login.userId}, seeded as ${u.id}`);
      payers[i] = { userId: u.id, token: login.accessToken };
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  log(
    `${payers.length} payers logged in (seeded users with ${formatNumber(seed.sizes.creditsPerUser)} credits)`,
  );
  return payers;
}

/** Many: the newest work of creators 1…payers (all different); one: the top work of the discover tab. */
async function tipTargets(url: string, seed: SeedResult) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const creators = seed.users.slice(0, settings.payers).map((u) => u.id);
    const { rows } = await client.query<{ id: string; creator_user_id: string }>(
      `select distinct on (creator_user_id) id, creator_user_id from works
       where creator_user_id = any($1::text[]) and status = 'published' order by creator_user_id, created_at desc`,
      [creators],
    );
    const byCreator = new Map(rows.map((r) => [r.creator_user_id, r.id]));
    const many = creators.map((c) => {
      const workId = byCreator.get(c);
      if (!workId) throw new Error(`creator ${c} has no published work`);
      return { workId, creatorUserId: c };
    });
    const top = await client.query<{ work_id: string; creator_user_id: string }>(
      `select fs.work_id, w.creator_user_id from feed_snapshots fs join works w on w.id = fs.work_id
       where fs.tab = 'discover' order by fs.version desc, fs.position limit 1`,
    );
    const one = top.rows[0];
    if (!one) throw new Error("no discover snapshot to pick the one-creator work from");
    return { many, one: { workId: one.work_id, creatorUserId: one.creator_user_id } };
  } finally {
    await client.end();
  }
}

function seedSection(p: Prepared): { text: string; failures: string[] } {
  const s = p.seed;
  const c = s.counts;
  const rows: [string, string, number | undefined][] = [
    ["users (each with 3 accounts and a credits grant)", formatNumber(s.sizes.users), c.users],
    ["works (video_assets + works + work_stats rows)", formatNumber(s.sizes.works), c.works],
    ["likes", formatNumber(s.sizes.likes), c.likes],
    ["favorites (every tipped payer/work, then random)", formatNumber(s.sizes.favorites), c.favorites],
    ["tips", formatNumber(s.sizes.tips), c.tips],
    [
      `follows (${s.sizes.followsPerUser} creators per user)`,
      formatNumber(s.sizes.users * s.sizes.followsPerUser),
      c.follows,
    ],
    ["accounts (users' + platform grant shards)", "", c.accounts],
    ["postings (2 per grant)", "", c.postings],
    ["works created in the last 24 h (the hot tab)", "", c.works_last_24h],
  ];
  const table = markdownTable(
    ["Rows", "Asked", "In the database"],
    rows.map(([label, asked, got]) => [label, asked, formatNumber(got ?? 0)]),
    [1, 2],
  );
  const slowest = [...s.steps].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const checks = [
    {
      ok: p.seedProblems.length === 0,
      line: `counters equal a recount of the rows (like, favorite, tip counts; followers; credits tipped to each creator)${p.seedProblems.length ? `: ${p.seedProblems.join("; ")}` : ""}`,
    },
  ];
  const text = [
    SEED_SUBSECTION,
    "",
    `Built through SQL (\`phase2/seed.ts\`: generate_series, INSERT … SELECT, counters by UPDATE … FROM (SELECT … GROUP BY)) on a database migrated by the backend's own migration code (${ms(p.migrateMs)} ms). Users get the accounts sign-up creates (\`user:{id}:credits\`, \`:coins:available\`, \`:coins:pending\`) and ${formatNumber(s.sizes.creditsPerUser)} credits each as one \`bonus\` ledger transaction (the user's credits +, the \`platform:credits:granted\` shard the app picks −). Storage keys are fake (local signing never reads the file). Popularity is skewed (rank = ⌈works·r²⌉ over a random permutation of the works); works are spread over 20 days. Seeded tips are rows and counters only, without ledger postings.${divisor > 1 ? ` **Scaled down: sizes ÷ ${divisor} (BENCH_SEED_DIVISOR).**` : ""}`,
    "",
    table,
    "",
    `- **Seed build time: ${s1(s.totalMs)}** (slowest steps: ${slowest.map((x) => `${x.name} ${s1(x.ms)}`).join(", ")})`,
    `- Feed snapshot refresh (\`refreshFeedSnapshots\`, what the \`feed.refresh\` job runs): ${ms(p.refresh.ms)} ms — discover v${p.refresh.discover.version} with ${formatNumber(p.refresh.discover.size)} works, hot v${p.refresh.hot.version} with ${formatNumber(p.refresh.hot.size)}`,
    `- VACUUM ANALYZE: ${ms(p.vacuumMs)} ms`,
    ...checks.map((ch) => `- Check: ${ch.line} — ${ch.ok ? "PASS" : "FAIL"}`),
  ].join("\n");
  return { text, failures: checks.filter((ch) => !ch.ok).map((ch) => `seed: ${ch.line}`) };
}

const medianOf = (values: number[]) => (values.length ? median(values) : 0);

function cpuCells(cpu: CpuUsage[]): string[] {
  const pick = (f: (u: CpuUsage) => number) => formatNumber(medianOf(cpu.map(f)), 2);
  return [
    `${formatNumber(medianOf(cpu.map((u) => u.machinePercent)), 0)} %`,
    pick((u) => u.processCores.backend ?? 0),
    pick((u) => u.postgresCores),
    pick((u) => u.processCores.bench ?? 0),
    pick((u) => u.otherCores),
  ];
}

function feedSection(f: FeedResult): { text: string; failures: string[]; targetMisses: string[] } {
  const verdict = (t: FeedResult["targets"][number]) =>
    t.m.p99Ms <= FEED_P99_TARGET_MS && t.ratio >= FEED_TARGET_PERCENT;
  const table = markdownTable(
    [
      "Target",
      "Body (B)",
      "req/s",
      "p50 (ms)",
      "p99 (ms)",
      "% of bare",
      "Requests",
      "non-2xx / errors",
      "CPU busy",
      "backend (cores)",
      "postgres (cores)",
      "autocannon (cores)",
      "other (cores)",
      "Target",
    ],
    f.targets.map((t) => [
      t.tab ? t.label : `${t.label} (\`GET /bare\`)`,
      String(t.bytes),
      formatNumber(t.m.reqPerSec, 0),
      String(t.m.p50Ms),
      String(t.m.p99Ms),
      t.tab ? `${t.ratio.toFixed(1)} %` : "100 %",
      formatNumber(t.m.completed),
      `${t.m.non2xx} / ${t.m.errors}`,
      ...cpuCells(t.cpu),
      t.tab ? (verdict(t) ? "PASS" : "FAIL") : "",
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  const feeds = f.targets.filter((t) => t.tab);
  const misses = feeds
    .filter((t) => !verdict(t))
    .map(
      (t) =>
        `feed ${t.label}: p99 ${t.m.p99Ms} ms (target ≤ ${FEED_P99_TARGET_MS}), ${t.ratio.toFixed(1)} % of bare (target ≥ ${FEED_TARGET_PERCENT} %)`,
    );
  const worstP99 = Math.max(...feeds.map((t) => t.m.p99Ms));
  const lowest = Math.min(...feeds.map((t) => t.ratio));
  const text = [
    FEED_SUBSECTION,
    "",
    `\`GET /api/v1/feed?tab=discover|hot&limit=${f.limit}\`: first page, and a deep page reached by following \`next_cursor\` ${f.walked.discover.pages} pages from the top (discover after position ${f.deepPosition.discover}, hot after ${f.deepPosition.hot}; the walks returned ${f.walked.discover.distinct} and ${f.walked.hot.distinct} distinct works, none repeated); anonymous, and signed in (each request takes the next of ${f.viewers} viewers' tokens, so the liked/favorited/following flags are computed per viewer). ${f.rounds} interleaved rounds of ${f.perRoundSeconds} s per target (bare, then the eight feed targets, then bare again…) after a ${settings.warmupSeconds} s warm-up of each in the first round. req/s and p50 are medians over rounds of each round's mean of 1 s samples, p99 the worst round's (2xx only, 1 ms resolution); "% of bare" is the median over rounds of req/s ÷ that round's bare req/s. CPU columns (from /proc, medians over rounds): busy share of all ${f.targets[0]?.cpu[0]?.cpus ?? "?"} CPUs, and CPU time per wall second of the backend, all \`postgres\` processes, the bench process (autocannon) and everything else on the machine (busy minus the backend, the bare server, PostgreSQL and the bench process: other work sharing the machine).`,
    "",
    table,
    "",
    `- Worst feed p99 ${worstP99} ms, lowest ratio ${lowest.toFixed(1)} % of bare`,
    `Target: every feed target p99 ≤ ${FEED_P99_TARGET_MS} ms and ≥ ${FEED_TARGET_PERCENT} % of the bare route's req/s — ${misses.length === 0 ? "PASS" : `FAIL (${misses.length} of ${feeds.length} targets miss)`}`,
  ].join("\n");
  return { text, failures: [], targetMisses: misses };
}

function tipsSection(
  t: TipsResult,
  ledger: { ok: boolean; output: string },
  counterProblems: string[],
): { text: string; failures: string[]; targetMisses: string[] } {
  const pgbenchTps = median(t.pgbenchRuns.map((r) => r.tps));
  const pgbench = t.pgbenchRuns[0]!;
  const manyPct = t.manyVsPgbenchRatio;
  const onePct = t.ratio;
  const manyMet = manyPct >= TIPS_TARGET_PERCENT;
  const oneMet = onePct >= ONE_CREATOR_TARGET_PERCENT;
  const table = markdownTable(
    [
      "Scenario",
      "tips/s",
      "p50 (ms)",
      "p99 (ms)",
      "% of pgbench (same round)",
      "Tips (runs + warm-up)",
      "non-2xx / errors",
      "CPU busy",
      "backend (cores)",
      "postgres (cores)",
      "autocannon (cores)",
      "other (cores)",
    ],
    [t.many, t.one].map((s) => [
      s.label,
      formatNumber(s.tipsPerSec, 0),
      String(s.m.p50Ms),
      String(s.m.p99Ms),
      `${median(s.runs.map((r, i) => (100 * r.m.reqPerSec) / (t.pgbenchRuns[i]?.tps ?? 1))).toFixed(1)} %`,
      formatNumber(s.runs.reduce((n, r) => n + r.tipsDelta, 0)),
      `${s.m.non2xx} / ${s.m.errors}`,
      ...cpuCells(s.runs.map((r) => r.cpu)),
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  const checks = [
    ...t.many.checks,
    ...t.one.checks,
    {
      ok: counterProblems.length === 0,
      line: `after the tips, work_stats and user_stats still equal a recount of the rows${counterProblems.length ? `: ${counterProblems.join("; ")}` : ""}`,
    },
    {
      ok: ledger.ok,
      line: `ledger reconciliation (\`reconcile\`, what \`npm run ledger:check\` runs) on the bench database: ${ledger.output.split("\n").filter(Boolean).slice(-1)[0] ?? "(no output)"} (${ledger.output.split("\n")[0] ?? ""})`,
    },
  ];
  const misses = [
    ...(manyMet
      ? []
      : [`tips: many creators ${manyPct.toFixed(1)} % of pgbench tps (target ≥ ${TIPS_TARGET_PERCENT} %)`]),
    ...(oneMet
      ? []
      : [
          `tips: one creator ${onePct.toFixed(1)} % of the many-creator rate (target ≥ ${ONE_CREATOR_TARGET_PERCENT} %)`,
        ]),
  ];
  const waitsTable = (w: WaitSamples) =>
    markdownTable(
      ["State, wait event", "Statement (start)", "avg sessions"],
      w.top.map((x) => [
        x.state,
        `\`${x.statement.replaceAll("`", "'")}\``,
        formatNumber(x.samples / Math.max(1, w.snapshots), 2),
      ]),
      [2],
    );
  const list = (v: number[]) => v.map((x) => `${x.toFixed(1)} %`).join(", ");
  const text = [
    TIPS_SUBSECTION,
    "",
    `\`POST /api/v1/works/{id}/tip_and_favorite\` with \`{"amount_credits":${t.amount}}\`, ${settings.connections} connections, ${t.payers} payers (seeded users who own no work, logged in through SMS, ${formatNumber(settings.seed.creditsPerUser)} credits each) taking turns: every request takes the next payer's token and a fresh Idempotency-Key. **many**: payer i tips the newest work of creator i (${t.many.creators} different creators); **one**: every payer tips the top work of the discover tab (one creator, one work). ${t.rounds} interleaved rounds of ${t.perRoundSeconds} s (many, one, pgbench, many, …) after a ${settings.warmupSeconds} s warm-up of each in the first round. tips/s and p50 are medians over rounds, p99 the worst round's; "% of pgbench" is the median of each run's tips/s ÷ the same round's pgbench tps; CPU columns as in (b).`,
    "",
    table,
    "",
    `- Reference write load, interleaved: after each round's two tip runs (backend idle), \`${pgbench.command}\` (${pgbench.version}; one warm-up run of ${settings.warmupSeconds} s first) → **${formatNumber(pgbenchTps, 0)} tps** (median; rounds ${t.pgbenchRuns.map((r) => formatNumber(r.tps, 0)).join(", ")}), latency avg ${formatNumber(median(t.pgbenchRuns.map((r) => r.latencyAvgMs)), 1)} ms`,
    `- many creators / pgbench: **${manyPct.toFixed(1)} %** (median of per-round ratios: ${list(t.manyVsPgbench)}) — Target ≥ ${TIPS_TARGET_PERCENT} % — ${manyMet ? "PASS" : "FAIL"}`,
    `- one creator / many creators: **${onePct.toFixed(1)} %** (median of per-round ratios: ${list(t.ratios)}) — Target ≥ ${ONE_CREATOR_TARGET_PERCENT} % — ${oneMet ? "PASS" : "FAIL"}`,
    "",
    ...checks.map((ch) => `- Check: ${ch.line} — ${ch.ok ? "PASS" : "FAIL"}`),
    "",
    `Where the backend's PostgreSQL sessions were (\`pg_stat_activity\` sampled every 100 ms during the runs, non-idle client sessions; "avg sessions" = samples / snapshots). many creators (${formatNumber(t.many.waits.snapshots)} snapshots):`,
    "",
    waitsTable(t.many.waits),
    "",
    `one creator (${formatNumber(t.one.waits.snapshots)} snapshots):`,
    "",
    waitsTable(t.one.waits),
  ].join("\n");
  return {
    text,
    failures: checks.filter((ch) => !ch.ok).map((ch) => `tips: ${ch.line}`),
    targetMisses: misses,
  };
}

installSignalHandlers();
let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof StartError) {
    const output = err.child.recentOutput().trim();
    console.error(output ? `[bench] last output of ${err.child.name}:\n${output}` : "[bench] (no output)");
  } else if (err instanceof Error && err.stack && settings.verbose) {
    console.error(err.stack);
  }
} finally {
  await runCleanup();
}
process.exit(exitCode);
