/**
 * Phase 1 (c): POST /api/v1/tasks/create throughput. The backend runs as a child (`api` role, no
 * Redis, so the in-process outbox also submits every task to the simulated vendor, which never
 * renders within the run); the bare Fastify server is the baseline. Many users (each logged in from
 * its own X-Forwarded-For) take turns: every request carries the next user's token and a fresh
 * Idempotency-Key. Afterwards the task rows are counted against the 2xx answers and the ledger is
 * reconciled with `npm run ledger:check`.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { grantCredits, type Login, loginWithSms, probe } from "../lib/api.js";
import type { BenchDatabase } from "../lib/database.js";
import { type Measurement, measure } from "../lib/load.js";
import { type PgbenchResult, runPgbench } from "../lib/pgbench.js";
import { freePort } from "../lib/ports.js";
import { startServer } from "../lib/server-child.js";
import { sampleWaits, type WaitSamples } from "../lib/waits.js";

export type { WaitSamples } from "../lib/waits.js";

export interface CreateOptions {
  db: BenchDatabase;
  /** Where pgbench's scratch database is created (the reference write load). */
  adminUrl: string;
  dataDir: string;
  repoRoot: string;
  benchDir: string;
  users: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  verbose: boolean;
  log: (message: string) => void;
}

export interface CreateResult {
  bare: Measurement & { bytes: number };
  create: Measurement & { bytes: number };
  users: number;
  creditsPerUser: number;
  simulatedVendorSeconds: number;
  /** Tasks the bench created outside the load runs (the sanity request). */
  probeTasks: number;
  /** Requests autocannon had sent but not seen answered when it stopped (warm-up + run). */
  inFlightAtStop: number;
  tasksInDb: number;
  holdsInDb: number;
  ledgerCheck: { ok: boolean; output: string };
  /** What the backend's PostgreSQL sessions were doing during the create load (sampled). */
  waits: WaitSamples;
  /** pgbench's TPC-B-like run at the same concurrency, in the same bench run. */
  pgbench: PgbenchResult;
}

const HOST = "127.0.0.1";
export const CREATE_BODY = {
  prompt: "一只纸船漂过雨夜的上海弄堂，霓虹倒影，缓慢推镜",
  duration_sec: 10,
  ratio: "9:16",
  model: "skyriff-sim",
};
const CREDITS_PER_USER = 10_000_000;
/** POST /dev/grant takes at most this many credits per call. */
const GRANT_STEP = 1_000_000;
/** The config caps SIMULATED_VENDOR_SECONDS at 3600 (86 400 is refused); the api role has no poll sweep anyway. */
const SIMULATED_VENDOR_SECONDS = 3600;
const UNLIMITED = "100000000";

export async function benchCreate(opts: CreateOptions): Promise<CreateResult> {
  const backendPort = await freePort(HOST);
  let barePort = await freePort(HOST);
  while (barePort === backendPort) barePort = await freePort(HOST);

  opts.log("create: starting the backend (api role) and the bare Fastify server…");
  const [backend, bare] = await Promise.all([
    startServer({
      name: "backend",
      // BENCH_PROFILE=<dir>: the backend writes a V8 CPU profile there when it stops.
      args: [
        ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
        "--import",
        "tsx",
        "backend/src/main.ts",
        "api",
      ],
      cwd: opts.repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "development",
        LOG_LEVEL: "warn",
        LOG_PRETTY: "false",
        HOST,
        PORT: String(backendPort),
        DATA_DIR: opts.dataDir,
        DATABASE_URL: opts.db.url,
        REDIS_URL: "",
        TRUST_PROXY: "true",
        // Behind TRUST_PROXY the bench's X-Forwarded-For addresses are not loopback: open the dev grant.
        DEV_TOOLS: "1",
        SIMULATED_VENDOR: "on",
        SIMULATED_VENDOR_SECONDS: String(SIMULATED_VENDOR_SECONDS),
        ECON_MAX_UNFINISHED_TASKS: UNLIMITED,
        ECON_MAX_TASKS_PER_DAY: UNLIMITED,
      },
      host: HOST,
      port: backendPort,
      verbose: opts.verbose,
    }),
    startServer({
      name: "bare",
      args: ["--import", "tsx", path.join(opts.benchDir, "servers", "bare.ts")],
      cwd: opts.benchDir,
      env: { ...process.env, NODE_ENV: "production", HOST, PORT: String(barePort) },
      host: HOST,
      port: barePort,
      verbose: opts.verbose,
    }),
  ]);
  opts.log(`create: backend ${backend.baseUrl} (pid ${backend.pid}), bare ${bare.baseUrl} (pid ${bare.pid})`);

  const logins = await inBatches(opts.users, 10, async (i) => {
    const login = await loginWithSms(backend.baseUrl, undefined, 15_000, { "x-forwarded-for": clientIp(i) });
    let balance = 0;
    for (let granted = 0; granted < CREDITS_PER_USER; granted += GRANT_STEP) {
      balance = await grantCredits(
        backend.baseUrl,
        login.userId,
        Math.min(GRANT_STEP, CREDITS_PER_USER - granted),
      );
    }
    if (balance !== CREDITS_PER_USER)
      throw new Error(`user ${login.userId}: balance ${balance} after the grants`);
    return login;
  });
  opts.log(
    `create: ${logins.length} users logged in, ${CREDITS_PER_USER.toLocaleString("en-US")} credits each`,
  );

  const createUrl = `${backend.baseUrl}/api/v1/tasks/create`;
  const body = JSON.stringify(CREATE_BODY);
  const sanity = await createOnce(createUrl, logins[0]!, body);
  const probeTasks = 1;
  const bareCheck = await probe(`${bare.baseUrl}/bare`);
  if (bareCheck.status !== 200) throw new Error(`GET /bare answered ${bareCheck.status}`);

  const load = { connections: opts.connections, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds };
  opts.log(
    `create: bare Fastify: ${opts.warmupSeconds} s warm-up + ${opts.seconds} s, ${opts.connections} connections…`,
  );
  const bareM = await measure({ name: "bare", url: `${bare.baseUrl}/bare` }, load);

  let next = 0;
  const tokens = logins.map((l) => `Bearer ${l.accessToken}`);
  const sampler = await sampleWaits(opts.db.url);
  opts.log(
    `create: task create: ${opts.warmupSeconds} s warm-up + ${opts.seconds} s, ${opts.connections} connections…`,
  );
  const createM = await measure(
    {
      name: "create",
      url: createUrl,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
      setupRequest: (req) => ({
        ...req,
        headers: {
          ...req.headers,
          authorization: tokens[next++ % tokens.length]!,
          "idempotency-key": randomUUID(),
        },
      }),
    },
    load,
  ).finally(() => sampler.stop());
  const waits = await sampler.result;

  const unanswered = (sent: number, ok: number, non2xx: number) => Math.max(0, sent - ok - non2xx);
  const inFlightAtStop =
    unanswered(createM.sent, createM.ok2xx, createM.non2xx) +
    (createM.warmup ? unanswered(createM.warmup.sent, createM.warmup.ok2xx, createM.warmup.non2xx) : 0);

  // Requests cut off when autocannon stopped may still commit: wait until the count stops moving.
  const { tasksInDb, holdsInDb } = await settledCounts(opts.db.url);
  await Promise.all([backend.stop(), bare.stop()]);
  opts.log("create: running npm run ledger:check on the bench database…");
  const ledgerCheck = await runLedgerCheck(opts);
  const pgbench = await runPgbench(opts.adminUrl, {
    scale: 10,
    clients: opts.connections,
    threads: 2,
    seconds: 15,
    log: opts.log,
  });
  opts.log(`pgbench: ${pgbench.tps.toFixed(0)} tps`);

  return {
    bare: { ...bareM, bytes: bareCheck.bytes },
    create: { ...createM, bytes: sanity.bytes },
    users: logins.length,
    creditsPerUser: CREDITS_PER_USER,
    simulatedVendorSeconds: SIMULATED_VENDOR_SECONDS,
    probeTasks,
    inFlightAtStop,
    tasksInDb,
    holdsInDb,
    ledgerCheck,
    waits,
    pgbench,
  };
}

/** A distinct client address per login (the SMS send limit is per IP). */
function clientIp(i: number): string {
  return `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

async function createOnce(url: string, login: Login, body: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${login.accessToken}`,
      "idempotency-key": randomUUID(),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const parsed = JSON.parse(text) as { code?: number; data?: { status?: string; cost_credits?: number } };
  if (res.status !== 200 || parsed.code !== 0 || parsed.data?.cost_credits !== CREATE_BODY.duration_sec) {
    throw new Error(`POST /tasks/create answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return { bytes: Buffer.byteLength(text) };
}

async function settledCounts(url: string): Promise<{ tasksInDb: number; holdsInDb: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const read = async () => {
      const { rows } = await client.query<{ tasks: number; holds: number }>(
        `select (select count(*)::int from tasks) as tasks,
                (select count(*)::int from ledger_transactions where type = 'gen_hold') as holds`,
      );
      return { tasksInDb: rows[0]?.tasks ?? 0, holdsInDb: rows[0]?.holds ?? 0 };
    };
    let last = await read();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = await read();
      if (now.tasksInDb === last.tasksInDb && now.holdsInDb === last.holdsInDb) return now;
      last = now;
    }
    return last;
  } finally {
    await client.end();
  }
}

function runLedgerCheck(opts: CreateOptions): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "ledger:check"], {
      cwd: opts.repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "development",
        DATABASE_URL: opts.db.url,
        DATA_DIR: opts.dataDir,
        REDIS_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `could not run npm: ${err.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim() });
    });
  });
}

/** Runs `work(0..n-1)` with at most `size` at a time; results in index order. */
async function inBatches<T>(n: number, size: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, n) }, worker));
  return results;
}
