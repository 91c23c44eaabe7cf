/**
 * Phase 3a bench: payments. (a) seeds payers with zero wallets and one pending WeChat Pay order each
 * (¥6 → 120 credits; 20 % of them invited by a promoter) on a fresh migrated database; (b) posts one
 * signed, encrypted TRANSACTION.SUCCESS notification per order to POST /api/v1/payments/callback/wechat
 * at BENCH_CONNECTIONS, then the same notifications again (re-signed: the duplicate path), then pgbench's
 * TPC-B-like load at the same concurrency, in interleaved rounds; (c) counts the SQL statements of each
 * callback path in process; (d) checks every order was fulfilled exactly once, the commissions, that the
 * duplicates granted nothing, and reconciles the ledger. Rewrites the "Phase 3a: payments" section of
 * bench/RESULTS.md. See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { rm, rmdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadEconomy } from "../backend/src/config/economy.js";
import { openDatabase } from "../backend/src/db/client.js";
import { formatReport, reconcile } from "../backend/src/ledger/reconcile.js";
import { findActiveProduct, snapshotOf } from "../backend/src/modules/payments/repository.js";
import { installSignalHandlers, onCleanup, runCleanup } from "./lib/cleanup.js";
import type { CpuUsage } from "./lib/cpu.js";
import { type BenchDatabase, createBenchDatabase, DEFAULT_ADMIN_URL, redactUrl } from "./lib/database.js";
import { envFlag, envInt } from "./lib/env.js";
import { median } from "./lib/load.js";
import { describeMachine, type MachineInfo } from "./lib/machine.js";
import { pgbenchSession } from "./lib/pgbench.js";
import { freePort } from "./lib/ports.js";
import { formatNumber, markdownTable, writeResultsSection } from "./lib/results.js";
import { type ServerChild, StartError, startServer } from "./lib/server-child.js";
import type { WaitSamples } from "./lib/waits.js";
import {
  benchCallbacks,
  CALLBACK_PATH,
  type CallbackRun,
  type CallbacksResult,
  MAX_ROUND_SECONDS,
} from "./payments/callbacks.js";
import { type BenchMerchant, benchMerchant, wechatEnv } from "./payments/notify.js";
import { type OrderSeed, type SeededPayer, seedPayers, seedPromoters } from "./payments/seed.js";
import { mergeLatencies, quantile, type SendResult } from "./payments/sender.js";
import { countCallbackStatements, type StatementCounts } from "./payments/statements.js";
import { type Check, verifyPayments } from "./payments/verify.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const RESULTS_FILE = path.join(BENCH_DIR, "RESULTS.md");
const HEADING = "## Phase 3a: payments";
const HOST = "127.0.0.1";

const PRODUCT_ID = "credits_120";
/** Payer k is invited when k mod 5 = 0: 20 % of the payers. */
const REFERRED_EVERY = 5;
const PROMOTERS = 10;
/** The in-process statement count (c): orders delivered one at a time. */
const COUNT_WARMUP = 20;
const COUNT_ORDERS = 100;

const orders = envInt("BENCH_PAY_ORDERS", 20_000, { min: 10, max: 1_000_000 });
const settings = {
  orders,
  warmupOrders: envInt("BENCH_PAY_WARMUP", Math.min(1000, Math.max(50, Math.round(orders / 20))), {
    min: 1,
    max: 100_000,
  }),
  connections: envInt("BENCH_CONNECTIONS", 50, { min: 1, max: 10_000 }),
  rounds: envInt("BENCH_ROUNDS", 3, { min: 1, max: 20 }),
  pgbenchWarmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2, { min: 0, max: 600 }),
  verbose: envFlag("BENCH_VERBOSE"),
};

const log = (message: string) => console.log(`[bench] ${message}`);
const int = (v: number) => formatNumber(v, 0);
const ms1 = (v: number) => formatNumber(v, 1);
const sec = (msValue: number) => `${formatNumber(msValue / 1000, 1)} s`;
const pct = (v: number) => `${v.toFixed(1)} %`;
const loadAtStart = os.loadavg()[0] ?? 0;
const startedAt = performance.now();

interface Seeded {
  promoters: string[];
  warmup: SeededPayer[];
  orders: SeededPayer[];
  countWarmup: SeededPayer[];
  countPlain: SeededPayer[];
  countReferred: SeededPayer[];
  all: SeededPayer[];
  rows: Record<string, number>;
  seedMs: number;
  vacuumMs: number;
}

async function main(): Promise<number> {
  if (settings.orders < settings.rounds) throw new Error("BENCH_PAY_ORDERS must be at least BENCH_ROUNDS");
  const adminUrl = process.env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
  const machine = describeMachine();
  const tmpRoot = path.join(BENCH_DIR, ".tmp", `payments_${randomBytes(6).toString("hex")}`);
  onCleanup(`remove ${tmpRoot}`, async () => {
    await rm(tmpRoot, { recursive: true, force: true });
    await rmdir(path.dirname(tmpRoot)).catch(() => undefined);
  });

  const db = await createBenchDatabase(adminUrl);
  log(`created database ${db.name} on ${redactUrl(adminUrl)}`);
  const t0 = performance.now();
  const database = await openDatabase({
    databaseUrl: db.url,
    pgliteDir: path.join(tmpRoot, "unused"),
    poolMax: 4,
  });
  onCleanup("close the bench's database pool", () => database.close());
  const migrateMs = performance.now() - t0;

  const product = await findActiveProduct(database.db, PRODUCT_ID);
  if (!product) throw new Error(`product ${PRODUCT_ID} is missing or inactive after the migrations`);
  const snapshot = snapshotOf(product);
  if (snapshot.type !== "credits_pack" || snapshot.priceFen !== 600 || snapshot.creditsAmount !== 120)
    throw new Error(`${PRODUCT_ID} is no longer ¥6 → 120 credits: ${JSON.stringify(snapshot)}`);
  const k0 = performance.now();
  const merchant = benchMerchant();
  const keygenMs = performance.now() - k0;
  log(
    `migrated in ${int(migrateMs)} ms; keys generated in ${int(keygenMs)} ms (platform key ${merchant.platformKeyId}); seeding…`,
  );
  const seeded = await seed(db.url, { snapshot, appId: merchant.appId, mchId: merchant.mchId });

  const backend = await startBackend(db, tmpRoot, merchant);
  let callbacks: CallbacksResult;
  const pgbench = await pgbenchSession(adminUrl, { scale: 10, log });
  try {
    callbacks = await benchCallbacks({
      backend,
      dbUrl: db.url,
      merchant,
      warmup: seeded.warmup,
      orders: seeded.orders,
      minRounds: settings.rounds,
      connections: settings.connections,
      pgbench,
      pgbenchWarmupSeconds: settings.pgbenchWarmupSeconds,
      log,
    });
  } finally {
    await pgbench.drop();
  }
  await backend.stop();

  log("counting statements per callback in process…");
  const counts = await countCallbackStatements({
    dbUrl: db.url,
    dataDir: path.join(tmpRoot, "data-inprocess"),
    env: wechatEnv(merchant),
    merchant,
    warmup: seeded.countWarmup,
    plain: seeded.countPlain,
    referred: seeded.countReferred,
    log,
  });

  const economy = loadEconomy();
  log("checking the orders, grants, commissions and notification log; reconciling the ledger…");
  const checks = [
    ...runChecks(callbacks),
    ...(await verifyPayments({
      dbUrl: db.url,
      payers: seeded.all,
      promoters: seeded.promoters,
      notifications: [...callbacks.notifications, ...counts.notifications],
      duplicatesSent: callbacks.duplicatesSent + counts.duplicatesSent,
      credits: snapshot.creditsAmount,
      // 1 fen = 10 milli-coins; the backend child reads the same environment (ECON_* overrides).
      commissionMilli: (snapshot.priceFen * 10 * economy.DIRECT_COMMISSION_PERCENT) / 100,
      freezeDays: economy.FREEZE_DAYS,
    })),
  ];
  const report = await reconcile(database.db);
  const output = formatReport(report);
  checks.push({
    ok: report.ok,
    line: `ledger reconciliation (\`reconcile\`, what \`npm run ledger:check\` runs) on the bench database: ${output.split("\n").filter(Boolean).at(-1) ?? "(no output)"} (${output.split("\n")[0] ?? ""})`,
  });

  const text = [
    header(machine, db),
    "",
    seedSection(seeded, migrateMs, keygenMs),
    "",
    callbacksSection(callbacks),
    "",
    statementsSection(counts),
    "",
    checksSection(checks),
    "",
    waitsSection(callbacks),
  ].join("\n");
  console.log(`\n${HEADING}\n\n${text}\n`);
  await writeResultsSection(RESULTS_FILE, HEADING, text);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (section "${HEADING.slice(3)}")`);
  const failures = checks.filter((c) => !c.ok);
  for (const f of failures) console.error(`[bench] check failed: ${f.line}`);
  return failures.length > 0 ? 1 : 0;
}

async function seed(url: string, order: OrderSeed): Promise<Seeded> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    const promoters = await seedPromoters(client, PROMOTERS);
    // Payer k of the main batch is invited when k mod 5 = 0, by promoter ⌊k / 5⌋ mod 10.
    const invitedBy = (k: number) =>
      k % REFERRED_EVERY === 0 ? promoters[Math.floor(k / REFERRED_EVERY) % promoters.length]! : null;
    const warmup = await seedPayers(client, { count: settings.warmupOrders, promoterOf: invitedBy, order });
    const main = await seedPayers(client, { count: settings.orders, promoterOf: invitedBy, order });
    const countWarmup = await seedPayers(client, { count: COUNT_WARMUP, promoterOf: invitedBy, order });
    const countPlain = await seedPayers(client, { count: COUNT_ORDERS, promoterOf: () => null, order });
    const countReferred = await seedPayers(client, {
      count: COUNT_ORDERS,
      promoterOf: (k) => promoters[k % promoters.length]!,
      order,
    });
    const seedMs = performance.now() - t0;
    const v0 = performance.now();
    await client.query("vacuum analyze");
    const vacuumMs = performance.now() - v0;
    const { rows } = await client.query<Record<string, number>>(
      `select (select count(*)::int from users) as users,
              (select count(*)::int from users where is_promoter) as promoters_users,
              (select count(*)::int from promoters) as promoters,
              (select count(*)::int from accounts) as accounts,
              (select count(*)::int from accounts where balance <> 0) as nonzero_accounts,
              (select count(*)::int from referrals) as referrals,
              (select count(*)::int from payment_orders where status = 'pending' and channel = 'wechat') as pending,
              (select count(*)::int from ledger_transactions) as ledger_transactions`,
    );
    const all = [
      ...warmup.payers,
      ...main.payers,
      ...countWarmup.payers,
      ...countPlain.payers,
      ...countReferred.payers,
    ];
    log(
      `seeded ${int(all.length)} payers with one pending order each (${int(all.filter((p) => p.promoterUserId).length)} invited by ${PROMOTERS} promoters) in ${sec(seedMs)}; VACUUM ANALYZE ${int(vacuumMs)} ms`,
    );
    return {
      promoters,
      warmup: warmup.payers,
      orders: main.payers,
      countWarmup: countWarmup.payers,
      countPlain: countPlain.payers,
      countReferred: countReferred.payers,
      all,
      rows: rows[0] ?? {},
      seedMs,
      vacuumMs,
    };
  } finally {
    await client.end();
  }
}

async function startBackend(
  db: BenchDatabase,
  tmpRoot: string,
  merchant: BenchMerchant,
): Promise<ServerChild> {
  const port = await freePort(HOST);
  log("starting the backend (api role, jobs disabled, PAY_CHANNELS=wechat)…");
  const backend = await startServer({
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
      PORT: String(port),
      DATA_DIR: path.join(tmpRoot, "data"),
      DATABASE_URL: db.url,
      REDIS_URL: "",
      // No job runs at all: payments.query_pending (the lost-callback safety net) cannot fulfil an
      // order behind the callbacks' back, and nothing else competes with them.
      JOBS_DISABLED: "true",
      ...wechatEnv(merchant),
    },
    host: HOST,
    port,
    verbose: settings.verbose,
  });
  log(`backend ${backend.baseUrl} (pid ${backend.pid})`);
  return backend;
}

/** Per run: every answer SUCCESS, and the log's outcomes equal to what was sent. */
function runChecks(c: CallbacksResult): Check[] {
  const all: { what: string; s: SendResult }[] = [
    ...(c.warmup
      ? [
          { what: "warm-up first deliveries", s: c.warmup.fulfil },
          { what: "warm-up duplicates", s: c.warmup.duplicate },
        ]
      : []),
    ...c.runs.map((r) => ({ what: `round ${r.round + 1} ${r.kind}`, s: r.send })),
  ];
  const sent = all.reduce((n, x) => n + x.s.sent, 0);
  const ok = all.reduce((n, x) => n + x.s.ok, 0);
  const bad = all.filter((x) => x.s.ok !== x.s.sent);
  const logOk = (r: CallbackRun) =>
    r.kind === "fulfil"
      ? r.logged.fulfilled === r.send.sent && r.logged.duplicate === 0 && r.logged.rejected === 0
      : r.logged.duplicate === r.send.sent && r.logged.fulfilled === 0 && r.logged.rejected === 0;
  const w = c.warmup;
  const warmLogOk =
    !w ||
    (w.logged.fulfilled === w.fulfil.sent &&
      w.logged.duplicate === w.duplicate.sent &&
      w.logged.rejected === 0);
  const logBad = c.runs.filter((r) => !logOk(r));
  return [
    {
      ok: bad.length === 0,
      line: `every callback answered 200 \`{"code":"SUCCESS"}\` (sanity + warm-up + runs): ${int(ok + 1)}/${int(sent + 1)}${bad.map((x) => `; ${x.what}: ${x.s.refused} refused, ${x.s.errors} errors (${JSON.stringify(x.s.statusCodes)}; ${x.s.samples.join(" | ")})`).join("")}`,
    },
    {
      ok: logBad.length === 0 && warmLogOk,
      line: `every run's \`payment_notifications\` rows match what it sent: first-delivery runs logged ${c.runs
        .filter((r) => r.kind === "fulfil")
        .map((r) => `${int(r.logged.fulfilled)}/${int(r.send.sent)}`)
        .join(", ")} \`fulfilled\`, duplicate runs ${c.runs
        .filter((r) => r.kind === "duplicate")
        .map((r) => `${int(r.logged.duplicate)}/${int(r.send.sent)}`)
        .join(
          ", ",
        )} \`duplicate\`, ${c.runs.reduce((n, r) => n + r.logged.rejected, 0)} rejected${w ? `; warm-up ${int(w.logged.fulfilled)} fulfilled, ${int(w.logged.duplicate)} duplicate` : ""}`,
    },
  ];
}

function header(machine: MachineInfo, db: BenchDatabase): string {
  return [
    `Run ${new Date().toISOString()} · the bench's own sender (node:http, keep-alive agent, one prebuilt notification per request) · ${settings.connections} connections · whole bench ${sec(performance.now() - startedAt)}`,
    "",
    `- CPU: ${machine.cpuModel} × ${machine.cpuCount} (${machine.memoryGiB} GiB RAM, ${machine.os})`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${db.serverVersion}`,
    `- Backend: \`node --import tsx backend/src/main.ts api\` with JOBS_DISABLED=true (no job runs, so \`payments.query_pending\` cannot fulfil an order behind the callbacks), no Redis, PAY_CHANNELS=wechat with a merchant key pair, a platform key pair in public-key mode (\`PUB_KEY_ID_BENCH…\`) and a 32-character APIv3 key generated by the bench, WECHATPAY_BASE_URL at a closed local port (the callback path calls no gateway), NODE_ENV=development, LOG_LEVEL=warn, node-postgres pool max ${process.env.DATABASE_POOL_MAX || "10 (default)"}, fresh database`,
    `- Sender, backend and PostgreSQL share this machine (1-min load average ${formatNumber(loadAtStart, 1)} at the start, ${formatNumber(os.loadavg()[0] ?? 0, 1)} at the end, other work included): compare ratios taken in the same run, not absolute numbers`,
  ].join("\n");
}

function seedSection(s: Seeded, migrateMs: number, keygenMs: number): string {
  const invited = s.all.filter((p) => p.promoterUserId).length;
  const table = markdownTable(
    ["Rows", "In the database"],
    [
      [`users (${int(s.all.length)} payers + ${PROMOTERS} promoters)`, int(s.rows.users ?? 0)],
      [
        "accounts (3 per user, all at balance 0)",
        `${int(s.rows.accounts ?? 0)} (${s.rows.nonzero_accounts} ≠ 0)`,
      ],
      [
        "promoters (users.is_promoter, a referral code)",
        `${int(s.rows.promoters ?? 0)} (${s.rows.promoters_users} flagged)`,
      ],
      ["referrals (invited payers)", int(s.rows.referrals ?? 0)],
      ["payment_orders, pending, wechat / app, credits_120", int(s.rows.pending ?? 0)],
      ["ledger transactions", int(s.rows.ledger_transactions ?? 0)],
    ],
    [1],
  );
  return [
    "### (a) Seed",
    "",
    `Through SQL (\`payments/seed.ts\`) on a database migrated by the backend's own migration code (${int(migrateMs)} ms): payers with the user row and the three accounts sign-up creates (\`user:{id}:credits\`, \`:coins:available\`, \`:coins:pending\`), all at 0, and one pending order each as \`createPayment\` stores it after an APP prepay: product \`${PRODUCT_ID}\` (¥6 → 120 credits) with the snapshot \`snapshotOf\` builds, amount 600 fen, channel wechat, client app, out_trade_no = the id without dashes, expire_at in 15 minutes. One payer in ${REFERRED_EVERY} (${int(invited)}) is bound to one of ${PROMOTERS} promoters (\`promoters\` rows, \`referrals\` rows), so a 5 % commission is posted on its fulfilment. ${int(settings.orders)} orders are measured, ${int(s.warmup.length)} go to the warm-up and ${int(s.countWarmup.length + s.countPlain.length + s.countReferred.length)} to the statement count (c). Seed ${sec(s.seedMs)}, then VACUUM ANALYZE ${int(s.vacuumMs)} ms; the merchant and platform RSA-2048 key pairs took ${int(keygenMs)} ms.`,
    "",
    table,
  ].join("\n");
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

function callbacksSection(c: CallbacksResult): string {
  const runsOf = (kind: CallbackRun["kind"]) => c.runs.filter((r) => r.kind === kind);
  const fulfil = runsOf("fulfil");
  const dup = runsOf("duplicate");
  const pgbenchTps = medianOf(c.pgbenchRuns.map((r) => r.tps));
  const row = (label: string, runs: CallbackRun[], versus: number[]) => {
    const lat = mergeLatencies(runs.map((r) => r.send.latencies));
    const answered = runs.reduce((n, r) => n + r.send.ok, 0);
    const backendMs = runs.reduce((n, r) => n + (r.cpu.processCores.backend ?? 0) * r.cpu.seconds * 1000, 0);
    return [
      label,
      int(medianOf(runs.map((r) => r.send.perSec))),
      ms1(quantile(lat, 0.5)),
      ms1(quantile(lat, 0.99)),
      ms1(quantile(lat, 1)),
      pct(medianOf(versus)),
      int(runs.reduce((n, r) => n + r.send.ok, 0)),
      `${runs.reduce((n, r) => n + r.send.refused, 0)} / ${runs.reduce((n, r) => n + r.send.errors, 0)}`,
      ...cpuCells(runs.map((r) => r.cpu)),
      formatNumber(backendMs / Math.max(1, answered), 1),
    ];
  };
  const table = markdownTable(
    [
      "Path",
      "callbacks/s",
      "p50 (ms)",
      "p99 (ms)",
      "max (ms)",
      "% of pgbench (same round)",
      "SUCCESS answers",
      "refused / errors",
      "CPU busy",
      "backend (cores)",
      "postgres (cores)",
      "sender (cores)",
      "other (cores)",
      "backend CPU per callback (ms)",
    ],
    [
      row("first delivery (fulfils the order)", fulfil, c.fulfilVsPgbench),
      row("duplicate (order already paid)", dup, c.duplicateVsPgbench),
    ],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  );
  const rounds = markdownTable(
    [
      "Round",
      "Orders",
      "first deliveries/s",
      "duplicates/s",
      "pgbench tps (-T)",
      "first / pgbench",
      "duplicate / pgbench",
    ],
    fulfil.map((r, i) => {
      const d = dup[i];
      const ref = c.pgbenchRuns[i];
      return [
        String(r.round + 1),
        int(r.send.sent),
        `${int(r.send.perSec)} (${sec(r.send.wallMs)})`,
        d ? `${int(d.send.perSec)} (${sec(d.send.wallMs)})` : "",
        ref ? `${int(ref.tps)} (${ref.seconds} s)` : "",
        pct(c.fulfilVsPgbench[i] ?? 0),
        pct(c.duplicateVsPgbench[i] ?? 0),
      ];
    }),
    [1, 2, 3, 4, 5, 6],
  );
  const ref = c.pgbenchRuns[0]!;
  const fulfilPct = medianOf(c.fulfilVsPgbench);
  const dupPct = medianOf(c.duplicateVsPgbench);
  const dupVsFirst = medianOf(
    fulfil.map((r, i) => (100 * (dup[i]?.send.perSec ?? 0)) / Math.max(1e-9, r.send.perSec)),
  );
  const list = (v: number[]) => v.map(pct).join(", ");
  return [
    "### (b) Callbacks",
    "",
    `\`POST ${CALLBACK_PATH}\`, ${settings.connections} connections. Every order gets one notification as WeChat Pay v3 sends it, built in the bench with node:crypto (\`payments/notify.ts\`): \`TRANSACTION.SUCCESS\`, the transaction (appid, mchid, out_trade_no, a unique 28-digit transaction_id, trade_type APP, trade_state SUCCESS, success_time, amount 600 CNY, payer) encrypted AEAD_AES_256_GCM with the APIv3 key (associated_data \`transaction\`), and the Wechatpay-Timestamp/Nonce/Serial/Signature/Signature-Type headers signed RSA-SHA256 by the platform private key over \`timestamp\\nnonce\\nbody\\n\`. Each run's notifications are built and signed right before it (the backend refuses more than 300 s of clock skew), outside the measured time: ${int(c.signatures)} signatures in ${sec(c.signMs)} (${ms1(c.signMs / Math.max(1, c.signatures))} ms each, encryption included). The orders are split over ${c.pgbenchRuns.length} interleaved rounds (BENCH_ROUNDS, or more if a round would take over ${MAX_ROUND_SECONDS} s at the warm-up's rate): the round's orders once each (**first delivery**: signature, decryption, order lookup and match, then one transaction that marks the order paid, posts the 120-credit \`recharge\`, the commission for an invited payer and the notification log), then the same bodies again, re-signed with fresh timestamps as WeChat's retries are (**duplicate**), then pgbench at the same concurrency for as long as the round's first-delivery run took. callbacks/s = SUCCESS answers ÷ wall time (first request to last answer) of a run, median over rounds; p50/p99/max over every answer of the runs. A warm-up of ${int(c.warmup?.fulfil.sent ?? 0)} first deliveries and as many duplicates ran first (not counted), after one sanity notification checked end to end. CPU columns (from /proc, medians over rounds): busy share of all CPUs, and CPU time per wall second of the backend, all \`postgres\` processes (other databases' too), the bench process (the sender) and everything else; the last column is the backend's CPU time over the runs ÷ their SUCCESS answers.`,
    "",
    table,
    "",
    rounds,
    "",
    `- Reference write load, interleaved: after each round's two runs (backend idle), \`${ref.command.replace(/-T \d+/, "-T <round>")}\` (${ref.version}; ${settings.pgbenchWarmupSeconds > 0 ? `one warm-up run of ${settings.pgbenchWarmupSeconds} s first` : "no warm-up"}) → **${int(pgbenchTps)} tps** (median; rounds ${c.pgbenchRuns.map((r) => int(r.tps)).join(", ")}), latency avg ${ms1(medianOf(c.pgbenchRuns.map((r) => r.latencyAvgMs)))} ms`,
    `- **Fulfilled callbacks / pgbench tps: ${pct(fulfilPct)}** (median of per-round ratios: ${list(c.fulfilVsPgbench)}). The issue sets no target for this ratio.`,
    `- Duplicates / pgbench tps: **${pct(dupPct)}** (rounds: ${list(c.duplicateVsPgbench)}); duplicates / first deliveries: ${pct(dupVsFirst)}`,
  ].join("\n");
}

function statementsSection(s: StatementCounts): string {
  const inTransaction = (texts: string[]) => {
    const begin = texts.indexOf("begin");
    const commit = texts.indexOf("commit", begin + 1);
    return begin >= 0 && commit > begin ? commit - begin - 1 : 0;
  };
  const table = markdownTable(
    [
      "Callback path",
      "Callbacks",
      "SQL statements per callback",
      "of them between begin and commit",
      "in-process time (ms, one at a time)",
      "CPU (ms)",
    ],
    s.paths.map((p) => [
      p.label,
      String(p.callbacks),
      `${formatNumber(p.statements, 1)}${p.distinct.length > 1 ? ` (${p.distinct.join("–")})` : ""}`,
      String(inTransaction(p.example)),
      formatNumber(p.ms, 2),
      formatNumber(p.cpuMs, 2),
    ]),
    [1, 2, 3, 4, 5],
  );
  const lists = s.paths.map(
    (p) => `- ${p.label}: ${p.example.map((t) => `\`${t.replaceAll("`", "'")}\``).join(" → ")}`,
  );
  return [
    "### (c) Statements per callback",
    "",
    `The backend built in the bench process (\`createServer\`, no job roles, the same WeChat settings) on the same database after the load; fresh orders delivered one at a time through \`app.inject\` (${COUNT_WARMUP} first, and again as duplicates, not counted), counting what node-postgres sends (\`pg.Client.prototype.query\` wrapped: begin and commit count, pipelined statements count one each) until 15 ms pass without a statement after the answer (the balance NOTIFY follows the commit); CPU is this process's user + system time from the request to the answer (\`app.inject\`, no socket to the client). The statements of each path's first callback, in order (start of the text):`,
    "",
    table,
    "",
    ...lists,
  ].join("\n");
}

function checksSection(checks: Check[]): string {
  return [
    "### (d) Checks",
    "",
    "After the runs and the statement count, with both backends stopped (`payments/verify.ts`); the bench exits non-zero when one fails.",
    "",
    ...checks.map((ch) => `- Check: ${ch.line} — ${ch.ok ? "PASS" : "FAIL"}`),
  ].join("\n");
}

function waitsSection(c: CallbacksResult): string {
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
  const merged = (kind: CallbackRun["kind"]) =>
    mergeWaits(c.runs.filter((r) => r.kind === kind).map((r) => r.waits));
  const first = merged("fulfil");
  const dup = merged("duplicate");
  return [
    `Where the backend's PostgreSQL sessions were (\`pg_stat_activity\` sampled every 100 ms during the runs, non-idle client sessions; "avg sessions" = samples / snapshots). First deliveries (${int(first.snapshots)} snapshots):`,
    "",
    waitsTable(first),
    "",
    `Duplicates (${int(dup.snapshots)} snapshots):`,
    "",
    waitsTable(dup),
  ].join("\n");
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
