/**
 * Phase 3a (c): SQL statements per callback. The backend is built in this process (createServer with
 * every job role off, the same WeChat settings as the child) and fresh orders are delivered one at a
 * time through `app.inject`, while `pg.Client.prototype.query` is wrapped (as lib/statements.ts does:
 * begin and commit count; statements pipelined together count one each), up to the moment no statement
 * has been issued for 15 ms after the answer (the balance NOTIFY follows the commit). The statements of
 * one callback of each path are kept (their first characters) for the report. Sequential, so nothing
 * else runs.
 */
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadConfig } from "../../backend/src/config/env.js";
import { createServer } from "../../backend/src/server.js";
import { onCleanup } from "../lib/cleanup.js";
import { CALLBACK_PATH } from "./callbacks.js";
import {
  type BenchMerchant,
  type NotificationBody,
  notificationBody,
  notificationHeaders,
} from "./notify.js";
import type { SeededPayer } from "./seed.js";
import { SUCCESS_BODY } from "./sender.js";

const BACKEND_DB_CLIENT = fileURLToPath(new URL("../../backend/src/db/client.ts", import.meta.url));
const SHOWN_CHARS = 90;
const QUIET_MS = 15;

export interface PathCount {
  label: string;
  callbacks: number;
  /** Statements per callback (mean). */
  statements: number;
  /** The different per-callback counts seen. */
  distinct: number[];
  /** Mean in-process time per callback (sequential, one at a time). */
  ms: number;
  /** Mean CPU time (user + system) of this process per callback: the backend's work, the inject included. */
  cpuMs: number;
  /** The statements of the path's first callback, in issue order (start of the text). */
  example: string[];
}

export interface StatementCounts {
  paths: PathCount[];
  notifications: NotificationBody[];
  duplicatesSent: number;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

const IDENT = String.raw`"\w+"(?:\."\w+")?(?: as "\w+")?`;
const SELECT_LIST = new RegExp(`^select (?:${IDENT}, )*${IDENT} from`);

/** One line, column lists elided (`select … from "t" where …`), at most SHOWN_CHARS characters. */
function shorten(text: string): string {
  const line = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(SELECT_LIST, "select … from")
    .replace(/^select .*? from (\w+)\(.*$/, "select … from $1(…)")
    .replace(/^(insert into "\w+") \([^)]*\) values \(.*?\)/, "$1 (…) values (…)")
    .replace(/^(update "\w+") set .*? where/, "$1 set … where");
  return line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS - 1)}…` : line;
}

/** Records the statements node-postgres sends in this process while `recording` is on. */
function statementRecorder() {
  const theirs = createRequire(BACKEND_DB_CLIENT)("pg") as typeof pg;
  if (theirs.Client !== pg.Client)
    throw new Error("the backend loads another copy of pg: its statements cannot be counted from here");
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  const state = { recording: false, texts: [] as string[] };
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (state.recording) {
      const first = args[0];
      const text =
        typeof first === "string"
          ? first
          : typeof (first as { text?: unknown })?.text === "string"
            ? (first as { text: string }).text
            : "(?)";
      state.texts.push(text);
    }
    return original.apply(this, args);
  };
  return {
    state,
    restore() {
      state.recording = false;
      proto.query = original;
    },
  };
}

export async function countCallbackStatements(opts: {
  dbUrl: string;
  dataDir: string;
  env: Record<string, string>;
  merchant: BenchMerchant;
  /** Delivered first (and again as duplicates), not counted: JIT, first connections, prepared statements. */
  warmup: SeededPayer[];
  plain: SeededPayer[];
  referred: SeededPayer[];
  log: (message: string) => void;
}): Promise<StatementCounts> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    DATA_DIR: opts.dataDir,
    DATABASE_URL: opts.dbUrl,
    REDIS_URL: "",
    JOBS_DISABLED: "true",
    ...opts.env,
  });
  const { app } = await createServer(config, {
    roles: { dispatch: false, work: false, schedule: false },
    logger: false,
  });
  const closeApp = onCleanup("close the in-process backend", () => app.close());
  const recorder = statementRecorder();
  const notifications: NotificationBody[] = [];
  let duplicatesSent = 0;
  const deliver = async (n: NotificationBody) => {
    const res = await app.inject({
      method: "POST",
      url: CALLBACK_PATH,
      headers: notificationHeaders(opts.merchant, n.body, new Date()),
      payload: n.body,
    });
    if (res.statusCode !== 200 || res.body !== SUCCESS_BODY)
      throw new Error(`in-process ${CALLBACK_PATH} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
  };
  const measure = async (label: string, bodies: NotificationBody[]): Promise<PathCount> => {
    const counts: number[] = [];
    let example: string[] = [];
    let ms = 0;
    let cpuMs = 0;
    for (const n of bodies) {
      recorder.state.texts = [];
      recorder.state.recording = true;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      try {
        await deliver(n);
        ms += performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        cpuMs += (cpu.user + cpu.system) / 1000;
        // Work the callback starts after its answer (the balance NOTIFY after commit) is its own:
        // wait until no statement was issued for QUIET_MS.
        for (let seen = -1, i = 0; seen !== recorder.state.texts.length && i < 20; i++) {
          seen = recorder.state.texts.length;
          await sleep(QUIET_MS);
        }
      } finally {
        recorder.state.recording = false;
      }
      counts.push(recorder.state.texts.length);
      if (example.length === 0) example = recorder.state.texts.map(shorten);
    }
    return {
      label,
      callbacks: bodies.length,
      statements: counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length),
      distinct: [...new Set(counts)].sort((a, b) => a - b),
      ms: ms / Math.max(1, bodies.length),
      cpuMs: cpuMs / Math.max(1, bodies.length),
      example,
    };
  };
  try {
    const bodiesOf = (payers: SeededPayer[]) => {
      const now = new Date();
      const bodies = payers.map((p) => notificationBody(opts.merchant, p, now));
      notifications.push(...bodies);
      return bodies;
    };
    const warm = bodiesOf(opts.warmup);
    for (const n of warm) await deliver(n);
    for (const n of warm) await deliver(n);
    duplicatesSent += warm.length;
    const plain = bodiesOf(opts.plain);
    const referred = bodiesOf(opts.referred);
    const paths = [
      await measure("first delivery, payer not invited", plain),
      await measure("first delivery, invited payer (+ commission)", referred),
      await measure("duplicate (already fulfilled, same body re-signed)", plain),
    ];
    duplicatesSent += plain.length;
    opts.log(
      `statements: ${paths.map((p) => `${p.label}: ${p.statements.toFixed(1)} statements, ${p.ms.toFixed(2)} ms`).join("; ")}`,
    );
    return { paths, notifications, duplicatesSent };
  } finally {
    recorder.restore();
    await app.close();
    closeApp();
  }
}
