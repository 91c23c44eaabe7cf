import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema/index.js";
import {
  type Db,
  type Executor,
  pgConnection,
  pgliteTransaction,
  pgTransaction,
  type Queries,
  type RawResult,
  registerConnection,
} from "./transactions.js";

export { afterCommit, type Db, type Executor, type Tx } from "./transactions.js";
export type Schema = typeof schema;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  ping(): Promise<void>;
  /** Subscribes to NOTIFY on `channel`; see {@link Listener}. */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onMessage(payload: string): void;
  /** The subscription was (re)established or lost: anything derived from missed messages is void. */
  onReset(connected: boolean): void;
}

export interface Listener {
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory; `memory://` for an in-memory database (tests). */
  pgliteDir: string;
  /** A dumped, already-migrated PGlite data dir to start from (tests: skips re-running migrations). */
  pgliteTemplate?: Blob;
  poolMax?: number;
  /** An idle pooled connection failed (PostgreSQL only); the pool replaces it on the next checkout. */
  onIdleError?: (err: Error) => void;
}

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
// Serializes migrations when several processes start at once against one PostgreSQL.
const MIGRATION_LOCK_KEY = 7_310_411;

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.poolMax ?? 20, opts.onIdleError)
    : openPglite(opts.pgliteDir, opts.pgliteTemplate);
}

async function openPostgres(
  url: string,
  poolMax: number,
  onIdleError?: (err: Error) => void,
): Promise<Database> {
  await migratePostgres(url);
  // Pipelined: statements a transaction sends together are on the wire before the first answer returns.
  const pool = new pg.Pool({ connectionString: url, max: poolMax, pipeline: true } as pg.PoolConfig);
  // An idle client whose server connection ends (a restart, a failover, an admin terminating it) is
  // dropped by the pool; without a listener the 'error' event would bring the whole process down.
  pool.on("error", (err) => onIdleError?.(err));
  const queriesOf = new WeakMap<pg.PoolClient, Queries>();
  const queriesFor = (client: pg.PoolClient) => {
    let queries = queriesOf.get(client);
    if (!queries) {
      queries = drizzlePg(client, { schema }) as unknown as Queries;
      queriesOf.set(client, queries);
    }
    return queries;
  };
  const db = Object.assign(drizzlePg(pool, { schema }), {
    transaction: pgTransaction(pool, queriesFor),
  }) as unknown as Db;
  registerConnection(db, pgConnection(pool));
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await pool.query("select 1");
    },
    listen: async (channel, handlers) => listenPostgres(url, channel, handlers),
    close: () => pool.end(),
  };
}

async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function openPglite(dir: string, template?: Blob): Promise<Database> {
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir, template ? { loadDataDir: template } : {});
  await client.waitReady;
  const drizzleDb = drizzlePglite(client, { schema });
  await migratePglite(drizzleDb, { migrationsFolder });
  const original = drizzleDb.transaction.bind(drizzleDb) as (
    fn: (tx: unknown) => Promise<unknown>,
  ) => Promise<unknown>;
  const db = Object.assign(drizzleDb, {
    transaction: pgliteTransaction(
      original,
      (tx) => (tx as { session: { client: PgliteQueryable } }).session.client,
    ),
  }) as unknown as Db;
  registerConnection(db, { run: (text, values) => client.query(text, values) as Promise<RawResult> });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await drizzleDb.execute(sql`select 1`);
    },
    listen: async (channel, handlers) => {
      const unlisten = await client.listen(channel, handlers.onMessage);
      handlers.onReset(true);
      return {
        close: async () => {
          handlers.onReset(false);
          await unlisten();
        },
      };
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `execute()`; node-postgres and PGlite both answer `{ rows }`. */
export async function queryRows<T>(ex: Executor, query: SQL): Promise<T[]> {
  const result = (await ex.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A migrated, empty database as a PGlite dump: built once, loaded by every test file. */
export async function migratedPgliteTemplate(): Promise<Blob> {
  const client = new PGlite("memory://");
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
  const dump = await client.dumpDataDir("none");
  await client.close();
  return dump;
}

/** A dedicated connection that LISTENs and reconnects; every loss or reconnect is reported. */
async function listenPostgres(url: string, channel: string, handlers: ListenHandlers): Promise<Listener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const lost = () => {
    handlers.onReset(false);
    client?.removeAllListeners();
    client = null;
    if (!closed && !retry) retry = setTimeout(connect, 1000);
  };
  async function connect(): Promise<void> {
    retry = null;
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (m) => handlers.onMessage(m.payload ?? ""));
    next.on("error", lost);
    next.on("end", lost);
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      client = next;
      if (closed) await next.end();
      else handlers.onReset(true);
    } catch {
      next.removeAllListeners();
      await next.end().catch(() => undefined);
      lost();
    }
  }
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      handlers.onReset(false);
      const current = client;
      client = null;
      current?.removeAllListeners();
      await current?.end().catch(() => undefined);
    },
  };
}

interface PgliteQueryable {
  query(text: string, values: unknown[]): Promise<RawResult>;
}
