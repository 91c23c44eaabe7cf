import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LoginResult } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { type AppConfig, loadConfig } from "../../src/config/env.js";
import type { AppContext } from "../../src/context.js";
import { BullmqRunner } from "../../src/jobs/bullmq.js";
import { ManualClock } from "../../src/lib/clock.js";
import { createServer, type ServerOptions } from "../../src/server.js";

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ManualClock;
  /** The database URL of this app's own database (real PostgreSQL runs only). */
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

const BASE_ENV = {
  NODE_ENV: "test",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
  APP_SECRET: "test-app-secret",
  LOG_LEVEL: "silent",
  PUBLIC_BASE_URL: "http://skyriff.test",
};

/**
 * One app per test file with its own database: in-memory PGlite by default, a fresh PostgreSQL
 * database when DATABASE_URL is set, and its own BullMQ prefix when REDIS_URL is set.
 */
export async function startTestApp(
  opts: {
    env?: Record<string, string>;
    start?: Date;
    server?: ServerOptions;
    config?: Partial<AppConfig>;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "skyriff-test-"));
  const databaseUrl = process.env.DATABASE_URL ? await createDatabase(process.env.DATABASE_URL) : undefined;
  const env = {
    ...BASE_ENV,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `t${randomBytes(6).toString("hex")}`,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...opts.env,
  };
  // The app always runs on the harness's own database, even when a test validates another DATABASE_URL.
  const config = { ...loadConfig(env), ...opts.config, DATABASE_URL: databaseUrl };
  const clock = new ManualClock(opts.start);
  const templateFile = process.env.SKYRIFF_PGLITE_TEMPLATE;
  const pgliteTemplate = templateFile && !databaseUrl ? new Blob([readFileSync(templateFile)]) : undefined;
  const { app, ctx } = await createServer(config, {
    logger: false,
    clock,
    pgliteDir: "memory://",
    pgliteTemplate,
    jobPollMs: 200,
    ...opts.server,
  });
  await app.ready();
  return {
    app,
    ctx,
    clock,
    databaseUrl,
    close: async () => {
      if (ctx.jobs instanceof BullmqRunner) await ctx.jobs.obliterate().catch(() => undefined);
      await app.close();
      if (databaseUrl) await dropDatabase(process.env.DATABASE_URL as string, databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `skyriff_t_${randomBytes(6).toString("hex")}`;
  const template = process.env.SKYRIFF_PG_TEMPLATE;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${name}${template ? ` template ${template}` : ""}`);
        break;
      } catch (err) {
        // Two files copying the template in the same instant can collide; the copy is quick, try again.
        if (attempt >= 5 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

const usedPhones = new Set<string>();
/** A unique, valid mainland mobile number per call. */
export function uniquePhone(): string {
  for (;;) {
    const phone = `139${randomBytes(4).readUInt32BE(0) % 100_000_000}`.padEnd(11, "7");
    if (!usedPhones.has(phone)) {
      usedPhones.add(phone);
      return phone;
    }
  }
}

export interface Api {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response fields one by one
  body: { code: number; message: string; data: any };
}

export async function call(
  t: TestApp,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; ip?: string } = {},
): Promise<Api> {
  const res = await t.app.inject({
    method,
    url,
    payload: opts.body as never,
    remoteAddress: opts.ip,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
  });
  return { status: res.statusCode, body: res.json() };
}

/** The newest code the console provider delivered to `phone`, once the SMS job has run. */
export async function deliveredCode(t: TestApp, phone: string): Promise<string> {
  await t.ctx.jobs.idle();
  const res = await call(t, "GET", `/api/v1/dev/sms/outbox?phone=${phone}`);
  const code = res.body.data?.items?.[0]?.code;
  if (!code) throw new Error(`no SMS delivered to ${phone}: ${JSON.stringify(res.body)}`);
  return code;
}

export async function login(
  t: TestApp,
  phone = uniquePhone(),
  ip = randomIp(),
): Promise<LoginResult & { phone: string }> {
  const sent = await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone }, ip });
  if (sent.status !== 200) throw new Error(`send failed: ${JSON.stringify(sent.body)}`);
  const code = await deliveredCode(t, phone);
  const res = await call(t, "POST", "/api/v1/auth/sms/verify", { body: { phone, code }, ip });
  if (res.status !== 200) throw new Error(`verify failed: ${JSON.stringify(res.body)}`);
  return { ...res.body.data, phone };
}

export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** Runs one job right now (as the cron would) and waits until the queue is idle again. */
export async function runJob(
  t: TestApp,
  name: "generation.poll_sweep" | "generation.timeout_sweep" | "admin.daily_stats",
): Promise<void> {
  const { enqueue } = await import("../../src/jobs/index.js");
  await enqueue(t.ctx.db, name, {});
  await t.ctx.jobs.idle();
}
