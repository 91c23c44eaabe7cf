import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";
import type * as schema from "./schema/index.js";

/** The query builder interface shared by node-postgres, PGlite and their transactions. */
export type Queries = Omit<PgDatabase<PgQueryResultHKT, typeof schema>, "transaction">;

declare const inTransaction: unique symbol;
/** A connection inside one open transaction: what money movements and outbox writes require. */
export type Tx = Queries & { readonly [inTransaction]: true };
/** The pool (or the embedded database): every call is its own statement. */
export type Db = Queries & { transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> };
export type Executor = Db | Tx;

export interface RawResult {
  rows: Record<string, unknown>[];
  command?: string;
}

/**
 * One database connection as `send` sees it: statements issued one after another without awaiting in
 * between are written together and, on PostgreSQL, pipelined (executed in issue order without a round
 * trip each).
 */
export interface Connection {
  run(text: string, values: unknown[], name?: string): Promise<RawResult>;
}

interface TxState {
  connection: Connection;
  /** Statements whose outcome is checked at commit (see `sendWithCommit`). */
  deferred: Promise<unknown>[];
  afterCommit: (() => void)[];
}

const connections = new WeakMap<object, Connection>();
const states = new WeakMap<object, TxState>();

export function connectionOf(ex: Executor): Connection {
  const connection = connections.get(ex);
  if (!connection) throw new Error("executor was not opened through openDatabase");
  return connection;
}

export function registerConnection(ex: object, connection: Connection): void {
  connections.set(ex, connection);
}

/** Runs `callback` once the transaction `tx` has committed (never if it rolls back). */
export function afterCommit(tx: Tx, callback: () => void): void {
  stateOf(tx).afterCommit.push(callback);
}

/** Lets `pending` travel with COMMIT: the transaction fails, and rolls back, if it fails. */
export function checkAtCommit(tx: Tx, pending: Promise<unknown>): void {
  pending.catch(() => undefined);
  stateOf(tx).deferred.push(pending);
}

function stateOf(tx: Tx): TxState {
  const state = states.get(tx);
  if (!state) throw new Error("not inside a transaction opened through Database.db.transaction");
  return state;
}

/**
 * A pooled client as a Connection. Every statement issued in one tick is corked into a single socket
 * write; with the pool's `pipeline` option they are on the wire before the first answer comes back.
 */
export function pgConnection(client: pg.ClientBase | pg.Pool): Connection {
  const stream = (client as unknown as { connection?: { stream?: NodeJS.WritableStream & Corkable } })
    .connection?.stream;
  let corked = false;
  return {
    run(text, values, name) {
      if (stream?.cork && !corked) {
        corked = true;
        stream.cork();
        process.nextTick(() => {
          corked = false;
          stream.uncork();
        });
      }
      const config = values.length > 0 || name ? { text, values, name } : text;
      return client.query(config as pg.QueryConfig) as unknown as Promise<RawResult>;
    },
  };
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * `db.transaction` on PostgreSQL: BEGIN travels with the first statements, statements registered with
 * `checkAtCommit` travel with COMMIT, and a COMMIT the server answered with ROLLBACK is an error. Two round
 * trips for an action whose statements are sent together, instead of one per statement plus two.
 */
export function pgTransaction(pool: pg.Pool, queriesFor: (client: pg.PoolClient) => Queries) {
  return async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const connection = pgConnection(client);
    const tx = queriesFor(client) as Tx;
    const state: TxState = { connection, deferred: [], afterCommit: [] };
    states.set(tx, state);
    connections.set(tx, connection);
    const begin = connection.run("begin", []);
    begin.catch(() => undefined);
    let destroy = false;
    try {
      const result = await fn(tx);
      const commit = connection.run("commit", []);
      const outcomes = await Promise.allSettled([begin, ...state.deferred, commit]);
      const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (failure) throw failure.reason;
      const committed = outcomes.at(-1) as PromiseFulfilledResult<RawResult>;
      if (committed.value.command !== "COMMIT") throw new Error("the transaction was rolled back at commit");
      for (const callback of state.afterCommit) callback();
      return result;
    } catch (err) {
      await Promise.allSettled([begin, ...state.deferred]);
      await connection.run("rollback", []).catch(() => {
        destroy = true;
      });
      throw err;
    } finally {
      states.delete(tx);
      connections.delete(tx);
      client.release(destroy);
    }
  };
}

/**
 * `db.transaction` on PGlite (one connection, statements run one at a time in issue order): drizzle's
 * own transaction, with the same Tx API as on PostgreSQL.
 */
export function pgliteTransaction(
  original: (fn: (tx: unknown) => Promise<unknown>) => Promise<unknown>,
  rawOf: (tx: unknown) => { query(text: string, values: unknown[]): Promise<RawResult> },
) {
  return async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    let state: TxState | null = null;
    const result = (await original(async (drizzleTx) => {
      const tx = drizzleTx as Tx;
      const raw = rawOf(drizzleTx);
      let queue: Promise<unknown> = Promise.resolve();
      const connection: Connection = {
        run(text, values) {
          const next = queue.then(() => raw.query(text, values));
          queue = next.catch(() => undefined);
          return next;
        },
      };
      state = { connection, deferred: [], afterCommit: [] };
      states.set(tx, state);
      connections.set(tx, connection);
      const value = await fn(tx);
      const outcomes = await Promise.allSettled(state.deferred);
      const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (failure) throw failure.reason;
      return value;
    })) as T;
    for (const callback of (state as TxState | null)?.afterCommit ?? []) callback();
    return result;
  };
}
