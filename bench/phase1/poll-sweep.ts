/**
 * Phase 1 (b): one pass of the vendor poll sweep over many in-flight DyuAPI tasks. The backend's
 * context is built in this process (createServer with no job roles, so nothing runs by itself) on a
 * scratch PostgreSQL database; the DyuAPI fake runs in this process too. The bench inserts the task
 * rows and the fake's tasks directly, then runs the registered job "generation.poll_sweep" back to
 * back until every task has been polled once, counting SQL statements and vendor HTTP requests.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadConfig } from "../../backend/src/config/env.js";
import { schedules } from "../../backend/src/jobs/definitions.js";
import { newId } from "../../backend/src/lib/ids.js";
import { createServer } from "../../backend/src/server.js";
import { type FakeVendor, startDyuapiFake } from "../../backend/test/fakes/vendors/dyuapi.js";
import { flagsOf } from "../../backend/test/fakes/vendors/engine.js";
import { onCleanup } from "../lib/cleanup.js";
import type { BenchDatabase } from "../lib/database.js";
import { countStatements } from "../lib/statements.js";

export interface PollSweepOptions {
  db: BenchDatabase;
  dataDir: string;
  tasks: number;
  log: (message: string) => void;
}

export interface PollSweepResult {
  tasks: number;
  /** Tasks leased (= polled) by each sweep run of the pass, in order. */
  perRun: number[];
  runMs: number[];
  /** Sum of `perRun`: polls made during the pass (= tasks unless some came due twice). */
  polls: number;
  passMs: number;
  /** CPU time of the bench process during the pass: the sweep, its HTTP client and the in-process fake. */
  cpuMs: number;
  statements: number;
  vendorRequests: number;
  /** Polls the fake answered during the pass. */
  fakePolls: number;
  /** Tasks the fake answered at least one poll for during the pass. */
  polledTasks: number;
  /** Rows with a next poll after the pass started, progress recorded and no poll error. */
  rowsUpdated: number;
  warmup: { tasks: number; ms: number };
  /** The sweep's schedule, e.g. "*\/5 * * * * *", and its period in seconds when it is "every N s". */
  schedule: string;
  periodSeconds: number | null;
  seedMs: number;
}

const BACKEND_DB_CLIENT = fileURLToPath(new URL("../../backend/src/db/client.ts", import.meta.url));
const SORA_MODEL = "sora2-portrait";
/** Old enough that a poll schedules the next one 30 s later (the longest interval). */
const TASK_AGE_MS = 15 * 60_000;
const USERS = 1000;
/** Polls answered per fake task before the pass (the first poll answers "queued"; later ones "in_progress"). */
const PRIOR_POLLS = 1;
/** Tasks polled once before the pass (JIT, lazy module loads, first connections), then deleted. */
const WARMUP_TASKS = 500;

export async function benchPollSweep(opts: PollSweepOptions): Promise<PollSweepResult> {
  const fake = await startDyuapiFake({ record: false, pollsToSuccess: 1_000_000_000 });
  const closeFake = onCleanup("close the DyuAPI fake", () => fake.close());

  const config = loadConfig({
    ...process.env,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    DATA_DIR: opts.dataDir,
    DATABASE_URL: opts.db.url,
    REDIS_URL: "",
    DYUAPI_BASE_URL: fake.url,
    DYUAPI_API_KEY: fake.apiKey,
    ARK_API_KEY: "",
    DASHSCOPE_API_KEY: "",
    SIMULATED_VENDOR: "off",
  });
  const { app, ctx } = await createServer(config, {
    roles: { dispatch: false, work: false, schedule: false },
    logger: false,
  });
  const closeApp = onCleanup("close the in-process backend", () => app.close());
  if (!ctx.vendors.has("dyuapi")) throw new Error("poll sweep: the dyuapi vendor is not configured");

  let sweeps = 0;
  const sweep = async (): Promise<number> => {
    sweeps += 1;
    const outcome = await ctx.registry.run(
      "generation.poll_sweep",
      {},
      { jobId: `bench-sweep-${sweeps}`, attempt: 1, log: app.log },
    );
    const n = Number(/^(\d+) polled$/.exec(outcome.detail ?? "")?.[1] ?? Number.NaN);
    if (outcome.status !== "done" || !Number.isInteger(n)) {
      throw new Error(`poll sweep answered ${JSON.stringify(outcome)}`);
    }
    return n;
  };

  // Warm-up: one run over separate tasks, which are then deleted.
  const warmupTasks = Math.min(WARMUP_TASKS, opts.tasks);
  const warm = await seed(opts.db.url, fake, warmupTasks, "warm-up");
  const w0 = performance.now();
  const warmPolled = await sweep();
  const warmMs = performance.now() - w0;
  if (warmPolled !== warmupTasks)
    throw new Error(`warm-up sweep polled ${warmPolled} of ${warmupTasks} tasks`);
  await withClient(opts.db.url, (c) => c.query("delete from tasks where id = any($1::text[])", [warm.ids]));
  for (const id of warm.vendorIds) fake.tasks.delete(id);

  // Seed: the fake's tasks (as its POST /v1/videos would register them) and the matching rows.
  const seedStart = performance.now();
  const seeded = await seed(opts.db.url, fake, opts.tasks, "bench");
  const seedMs = performance.now() - seedStart;
  opts.log(`poll sweep: ${opts.tasks} tasks seeded in ${Math.round(seedMs)} ms; sweeping…`);

  // The pass: sweep runs back to back until every task was polled once.
  const statements = countStatements(BACKEND_DB_CLIENT);
  const originalFetch = globalThis.fetch;
  let vendorRequests = 0;
  let countingFetches = false;
  const countingFetch: typeof fetch = (input, init) => {
    if (countingFetches && urlOf(input).startsWith(fake.url)) vendorRequests += 1;
    return originalFetch(input, init);
  };
  globalThis.fetch = countingFetch;
  const perRun: number[] = [];
  const runMs: number[] = [];
  const passStarted = new Date();
  let passMs = 0;
  let cpuMs = 0;
  try {
    countingFetches = true;
    statements.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let polled = 0;
    while (polled < opts.tasks) {
      const r0 = performance.now();
      const n = await sweep();
      runMs.push(performance.now() - r0);
      if (n === 0) break;
      perRun.push(n);
      polled += n;
    }
    passMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } finally {
    statements.stop();
    countingFetches = false;
    globalThis.fetch = originalFetch;
    statements.restore();
  }

  let fakePolls = 0;
  let polledTasks = 0;
  for (const id of seeded.vendorIds) {
    const polls = (fake.tasks.get(id)?.polls ?? PRIOR_POLLS) - PRIOR_POLLS;
    fakePolls += polls;
    if (polls >= 1) polledTasks += 1;
  }
  const rowsUpdated = await withClient(opts.db.url, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `select count(*)::int as n from tasks
       where next_poll_at > $1 and progress >= 1 and poll_errors = 0 and status = 'IN_PROGRESS'`,
      [passStarted],
    );
    return rows[0]?.n ?? 0;
  });

  await app.close();
  closeApp();
  await fake.close();
  closeFake();

  const schedule = schedules.find((s) => s.name === "generation.poll_sweep")?.pattern ?? "(not scheduled)";
  const every = /^\*\/(\d+) /.exec(schedule);
  return {
    tasks: opts.tasks,
    perRun,
    runMs,
    polls: perRun.reduce((a, b) => a + b, 0),
    passMs,
    cpuMs,
    statements: statements.count,
    vendorRequests,
    fakePolls,
    polledTasks,
    rowsUpdated,
    warmup: { tasks: warmupTasks, ms: warmMs },
    schedule,
    periodSeconds: every ? Number(every[1]) : null,
    seedMs,
  };
}

/** Registers `n` running tasks with the fake and inserts their rows, due now. */
async function seed(url: string, fake: FakeVendor, n: number, label: string) {
  const now = Date.now();
  const ids: string[] = [];
  const vendorIds: string[] = [];
  const userIds = Array.from({ length: Math.min(USERS, n) }, () => randomUUID());
  const owners: string[] = [];
  for (let i = 0; i < n; i++) {
    const vendorTaskId = `video_${randomUUID()}`;
    const prompt = `${label} task ${i}: a paper boat on a rainy street`;
    fake.tasks.set(vendorTaskId, {
      id: vendorTaskId,
      prompt,
      body: { model: SORA_MODEL, prompt },
      flags: flagsOf(prompt),
      createdAt: now - TASK_AGE_MS,
      polls: PRIOR_POLLS,
    });
    ids.push(newId());
    vendorIds.push(vendorTaskId);
    owners.push(userIds[i % userIds.length]!);
  }
  await withClient(url, async (c) => {
    await c.query(
      `insert into tasks (id, user_id, status, progress, prompt, duration_sec, ratio, model, vendor,
         vendor_task_id, cost_credits, next_poll_at, submitted_at, created_at, updated_at, timeout_at)
       select t.id, t.user_id, 'IN_PROGRESS', 0, 'bench: a paper boat on a rainy street', 10, '9:16', 'sora2',
         'dyuapi', t.vendor_task_id, 10, $4, $5, $5, $5, $5::timestamptz + interval '30 minutes'
       from unnest($1::text[], $2::text[], $3::text[]) as t(id, vendor_task_id, user_id)`,
      [ids, vendorIds, owners, new Date(now - 1000), new Date(now - TASK_AGE_MS)],
    );
    await c.query("analyze tasks");
  });
  return { ids, vendorIds };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}
