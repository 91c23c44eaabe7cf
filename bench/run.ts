/**
 * Phase 0 bench: the API read path. Starts the backend (real PostgreSQL, fresh database) and a bare
 * Fastify baseline as child processes, logs a user in, then loads three GET routes with autocannon
 * and rewrites the "Phase 0" section of bench/RESULTS.md. See bench/README.md.
 */
import { rm, rmdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { apiRequest, grantCredits, loginWithSms, probe } from "./lib/api.js";
import { installSignalHandlers, onCleanup, runCleanup } from "./lib/cleanup.js";
import { createBenchDatabase, DEFAULT_ADMIN_URL, redactUrl } from "./lib/database.js";
import { envFlag, envInt } from "./lib/env.js";
import { type Measurement, measure, median, percentOf, problemsOf } from "./lib/load.js";
import { describeMachine } from "./lib/machine.js";
import { freePort } from "./lib/ports.js";
import { formatNumber, markdownTable, writeResultsSection } from "./lib/results.js";
import { StartError, startServer } from "./lib/server-child.js";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, "..");
const RESULTS_FILE = path.join(BENCH_DIR, "RESULTS.md");
const HEADING = "## Phase 0: API read path";
const HOST = "127.0.0.1";
const GRANT_CREDITS = 1000;
const TARGET_PERCENT = 50;

const settings = {
  seconds: envInt("BENCH_SECONDS", 10, { min: 1, max: 3600 }),
  warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2, { min: 0, max: 600 }),
  connections: envInt("BENCH_CONNECTIONS", 50, { min: 1, max: 10_000 }),
  verbose: envFlag("BENCH_VERBOSE"),
  enforceTarget: envFlag("BENCH_ENFORCE_TARGET"),
  rounds: envInt("BENCH_ROUNDS", 3, { min: 1, max: 20 }),
};

const log = (message: string) => console.log(`[bench] ${message}`);

interface Row {
  label: string;
  route: string;
  bytes: number;
  m: Measurement;
}

async function main(): Promise<number> {
  const adminUrl = process.env.DATABASE_URL?.trim() || DEFAULT_ADMIN_URL;
  const machine = describeMachine();

  const db = await createBenchDatabase(adminUrl);
  log(`created database ${db.name} on ${redactUrl(adminUrl)}`);
  const dataDir = path.join(BENCH_DIR, ".tmp", db.name);
  onCleanup(`remove ${dataDir}`, async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rmdir(path.dirname(dataDir)).catch(() => undefined); // bench/.tmp, if nothing else is in it
  });

  const backendPort = await freePort(HOST);
  let barePort = await freePort(HOST);
  while (barePort === backendPort) barePort = await freePort(HOST);

  log("starting the backend and the bare Fastify server…");
  const [backend, bare] = await Promise.all([
    startServer({
      name: "backend",
      args: ["--import", "tsx", "backend/src/main.ts", "all"],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: "development",
        LOG_LEVEL: "warn",
        LOG_PRETTY: "false",
        HOST,
        PORT: String(backendPort),
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
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

  const login = await loginWithSms(backend.baseUrl);
  const balance = await grantCredits(backend.baseUrl, login.userId, GRANT_CREDITS);
  const wallets = await apiRequest<{ credits: { balance: number } }>(
    backend.baseUrl,
    "GET",
    "/api/v1/me/wallets",
    {
      token: login.accessToken,
    },
  );
  if (balance !== GRANT_CREDITS || wallets.credits.balance !== GRANT_CREDITS) {
    throw new Error(`granted ${GRANT_CREDITS} credits but the balance reads ${wallets.credits.balance}`);
  }
  log(`logged in as ${login.userId} (${login.phone}), ${GRANT_CREDITS} credits granted`);

  const auth = { authorization: `Bearer ${login.accessToken}` };
  const targets = [
    { key: "bare", label: "bare Fastify", route: "GET /bare", url: `${bare.baseUrl}/bare`, headers: {} },
    {
      key: "wallet",
      label: "wallet read",
      route: "GET /api/v1/me/wallets",
      url: `${backend.baseUrl}/api/v1/me/wallets`,
      headers: auth,
    },
    {
      key: "config",
      label: "public config",
      route: "GET /api/v1/config",
      url: `${backend.baseUrl}/api/v1/config`,
      headers: {},
    },
  ] as const;

  // Interleaved rounds (bare, wallet, config, bare, …): the machine is shared and its speed drifts over
  // a minute, so each ratio pairs measurements taken seconds apart, and the headline is their median.
  for (const t of targets) {
    const check = await probe(t.url, t.headers);
    if (check.status !== 200)
      throw new Error(`${t.route} answered ${check.status}: ${check.body.slice(0, 300)}`);
  }
  const perRound = Math.max(1, Math.round(settings.seconds / settings.rounds));
  const rounds: Measurement[][] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const measured: Measurement[] = [];
    for (const t of targets) {
      const warmupSeconds = round === 0 ? settings.warmupSeconds : 0;
      log(`round ${round + 1}/${settings.rounds}: ${t.label}: ${warmupSeconds} s warm-up + ${perRound} s…`);
      measured.push(
        await measure(
          { name: t.key, url: t.url, headers: t.headers },
          { connections: settings.connections, seconds: perRound, warmupSeconds },
        ),
      );
    }
    rounds.push(measured);
  }
  const rows: Row[] = targets.map((t, i) => ({
    label: t.label,
    route: t.route,
    bytes: 0,
    m: combine(rounds.map((r) => r[i] as Measurement)),
  }));
  for (const [i, t] of targets.entries()) (rows[i] as Row).bytes = (await probe(t.url, t.headers)).bytes;

  const roundRatios = (i: number) =>
    rounds.map((r) => percentOf((r[i] as Measurement).reqPerSec, (r[0] as Measurement).reqPerSec));
  const walletRatios = roundRatios(1);
  const configRatios = roundRatios(2);
  const walletPct = median(walletRatios);
  const configPct = median(configRatios);
  const pass = walletPct >= TARGET_PERCENT;

  const table = markdownTable(
    ["Target", "Route", "Body (B)", "req/s (avg)", "p50 (ms)", "p99 (ms)", "Requests", "non-2xx", "Errors"],
    rows.map((r) => [
      r.label,
      `\`${r.route}\``,
      String(r.bytes),
      formatNumber(r.m.reqPerSec, 1),
      String(r.m.p50Ms),
      String(r.m.p99Ms),
      formatNumber(r.m.completed),
      String(r.m.non2xx),
      String(r.m.errors),
    ]),
    [2, 3, 4, 5, 6, 7, 8],
  );
  const list = (values: number[]) => values.map((v) => `${v.toFixed(1)}%`).join(", ");
  const ratios = [
    `- wallet / bare: **${walletPct.toFixed(1)}%** (median of ${settings.rounds} interleaved rounds: ${list(walletRatios)})`,
    `- config / bare: **${configPct.toFixed(1)}%** (rounds: ${list(configRatios)})`,
  ].join("\n");
  const targetLine = `Target: wallet read ≥ ${TARGET_PERCENT}% of the bare route — ${pass ? "PASS" : "FAIL"}`;

  console.log(`\n${table}\n\n${ratios}\n\n${targetLine}\n`);

  const problems = rows.flatMap((r) => problemsOf(r.m).map((p) => `${r.route}: ${p}`));
  if (problems.length > 0) {
    for (const p of problems) console.error(`[bench] ${p}`);
    console.error(`[bench] measurements are not valid: ${RESULTS_FILE} left unchanged`);
    return 1;
  }

  const autocannonVersion = (createRequire(import.meta.url)("autocannon/package.json") as { version: string })
    .version;
  const body = [
    `Run ${new Date().toISOString()} · ${settings.connections} connections · ${settings.rounds} interleaved rounds of ${perRound} s per target (bare, wallet, config, bare, …) after a ${settings.warmupSeconds} s warm-up · autocannon ${autocannonVersion} (programmatic, in the bench process)`,
    "",
    `- CPU: ${machine.cpuModel} × ${machine.cpuCount} (${machine.memoryGiB} GiB RAM, ${machine.os})`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${db.serverVersion}`,
    `- Backend: \`node --import tsx backend/src/main.ts all\`, NODE_ENV=development, LOG_LEVEL=warn, node-postgres pool max ${process.env.DATABASE_POOL_MAX || "10 (default)"}, jobs ${process.env.REDIS_URL ? "on Redis" : "in-process outbox (no Redis)"}, fresh database`,
    "- Bare: Fastify with no logger, plugins, hooks or schemas; one route returning a constant envelope shaped like the wallet response",
    "- Load generator, both servers and PostgreSQL share this machine; req/s is the median over rounds of each round's mean of 1 s samples, p99 the worst round's, latencies of 2xx responses",
    "",
    table,
    "",
    ratios,
    "",
    targetLine,
  ].join("\n");
  await writeResultsSection(RESULTS_FILE, HEADING, body);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (section "${HEADING.slice(3)}")`);

  if (!pass && settings.enforceTarget) {
    console.error("[bench] target missed and BENCH_ENFORCE_TARGET is set");
    return 1;
  }
  return 0;
}

/** One row for several rounds of a target: median req/s and p50, worst p99, summed counts. */
function combine(ms: Measurement[]): Measurement {
  const first = ms[0] as Measurement;
  return {
    ...first,
    reqPerSec: median(ms.map((m) => m.reqPerSec)),
    p50Ms: median(ms.map((m) => m.p50Ms)),
    p99Ms: Math.max(...ms.map((m) => m.p99Ms)),
    completed: ms.reduce((n, m) => n + m.completed, 0),
    non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
    errors: ms.reduce((n, m) => n + m.errors, 0),
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
