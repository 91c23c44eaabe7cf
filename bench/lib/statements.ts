import { createRequire } from "node:module";
import pg from "pg";

export interface StatementCounter {
  /** Statements sent while counting was on. */
  readonly count: number;
  start(): void;
  stop(): void;
  /** Puts the original `Client.prototype.query` back. */
  restore(): void;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * Counts SQL statements sent by node-postgres in this process by wrapping `pg.Client.prototype.query`
 * (pool queries and transactions both end up there; `begin`/`commit` count as statements).
 * `resolveFrom` is a file of the code under test: the `pg` it resolves must be this `pg`, otherwise
 * the count would silently stay at zero.
 */
export function countStatements(resolveFrom: string): StatementCounter {
  const theirs = createRequire(resolveFrom)("pg") as typeof pg;
  if (theirs.Client !== pg.Client) {
    throw new Error(`${resolveFrom} loads another copy of pg: its statements cannot be counted from here`);
  }
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  let counting = false;
  let count = 0;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (counting) count += 1;
    return original.apply(this, args);
  };
  return {
    get count() {
      return count;
    },
    start() {
      count = 0;
      counting = true;
    },
    stop() {
      counting = false;
    },
    restore() {
      counting = false;
      proto.query = original;
    },
  };
}
