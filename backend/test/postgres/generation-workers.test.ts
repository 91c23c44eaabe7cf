import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

// Real PostgreSQL + Redis: an API in this process and two separate worker processes on one BullMQ queue.
const backendDir = path.resolve(import.meta.dirname, "../..");
const USERS = 10;
const TASKS_PER_USER = 5;
let t: TestApp;
const workers: (ChildProcess | null)[] = [null, null];

function startWorker(index: number): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "worker"], {
    cwd: backendDir,
    env: {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: t.databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: t.ctx.config.QUEUE_PREFIX,
      DATA_DIR: t.ctx.config.dataDir,
      JWT_SECRET: t.ctx.config.jwtSecret,
      APP_SECRET: t.ctx.config.appSecret,
      SIMULATED_VENDOR_SECONDS: "4",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  workers[index] = child;
  return child;
}

const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(t.ctx.db, query);

beforeAll(async () => {
  if (!process.env.REDIS_URL)
    throw new Error("this test needs REDIS_URL (two workers share one BullMQ queue)");
  t = await startTestApp({ server: { roles: { dispatch: true, work: false, schedule: false } } });
  startWorker(0);
  startWorker(1);
});
afterAll(async () => {
  for (const w of workers) w?.kill("SIGKILL");
  await t?.close();
});

describe("two worker processes on one queue", () => {
  it("50 tasks, half failing, a worker killed during media processing: every task ends exactly once", async () => {
    const users = [];
    for (let u = 0; u < USERS; u++) {
      const user = await login(t);
      await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 100 } });
      users.push(user);
    }
    for (const [u, user] of users.entries()) {
      for (let i = 0; i < TASKS_PER_USER; i++) {
        const fail = (u * TASKS_PER_USER + i) % 2 === 1;
        const res = await call(t, "POST", "/api/v1/tasks/create", {
          token: user.access_token,
          body: {
            prompt: `任务 ${u}-${i}${fail ? " #fail" : ""}`,
            duration_sec: 10,
            ratio: "9:16",
            model: "skyriff-sim",
          },
        });
        expect(res.status).toBe(200);
      }
    }

    // Kill worker 0 while a task is between "vendor finished" and "asset created", then start it again.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const inMedia = await rows<{ n: number }>(
        sql`select count(*)::int as n from tasks where media_queued_at is not null and status = 'IN_PROGRESS'`,
      );
      if ((inMedia[0]?.n ?? 0) > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    workers[0]?.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 1000));
    startWorker(0);

    const finishDeadline = Date.now() + 240_000;
    let unfinished = 1;
    while (unfinished > 0 && Date.now() < finishDeadline) {
      await new Promise((r) => setTimeout(r, 1000));
      unfinished =
        (
          await rows<{ n: number }>(
            sql`select count(*)::int as n from tasks where status not in ('SUCCESS', 'FAILURE')`,
          )
        )[0]?.n ?? 0;
    }
    expect(unfinished).toBe(0);

    const byStatus = await rows<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from tasks group by status order by status`,
    );
    expect(byStatus).toEqual([
      { status: "FAILURE", n: 25 },
      { status: "SUCCESS", n: 25 },
    ]);
    const assets = await rows<{ n: number; tasks: number }>(
      sql`select count(*)::int as n, count(distinct task_id)::int as tasks from video_assets`,
    );
    expect(assets[0]).toEqual({ n: 25, tasks: 25 });
    const orphan = await rows<{ n: number }>(
      sql`select count(*)::int as n from tasks t where t.status = 'SUCCESS' and not exists (select 1 from video_assets v where v.id = t.video_id)`,
    );
    expect(orphan[0]?.n).toBe(0);
    const refunds = await rows<{ n: number }>(
      sql`select count(*)::int as n from postings where entry_type = 'gen_refund' and account_id like 'user:%'`,
    );
    expect(refunds[0]?.n).toBe(25);
    for (const [u, user] of users.entries()) {
      const wallet = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
      const successes = Array.from(
        { length: TASKS_PER_USER },
        (_, i) => (u * TASKS_PER_USER + i) % 2 === 0,
      ).filter(Boolean).length;
      expect(wallet.body.data.credits.balance).toBe(100 - successes * 10);
    }
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  }, 400_000);
});
