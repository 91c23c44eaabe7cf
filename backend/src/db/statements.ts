import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import { checkAtCommit, connectionOf, type Executor, type RawResult, type Tx } from "./transactions.js";

/**
 * A hot-path statement written once as SQL text with `$n` parameters: no query building per call, and on
 * PostgreSQL a named statement, parsed and planned once per connection.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export const statement = (name: string, text: string): Statement => ({ name, text: text.trim() });

/**
 * Issues `st` now on the executor's connection and resolves with its rows. Statements issued one after
 * another without awaiting in between leave in one write and run in issue order (pipelined on
 * PostgreSQL). Keep drizzle queries out of such a run: they reach the connection a few microtasks later.
 */
export function send<R = Record<string, unknown>>(
  ex: Executor,
  st: Statement,
  values: unknown[],
): Promise<R[]> {
  const pending = connectionOf(ex)
    .run(st.text, values, st.name)
    .then((r: RawResult) => r.rows as R[]);
  // Attached at once so a statement after an earlier failure in the same run never goes unhandled.
  pending.catch(() => undefined);
  return pending;
}

/**
 * Issues `st` inside `tx` without waiting for it: it travels with the COMMIT, which fails (and the
 * transaction rolls back) if the statement failed.
 */
export function sendWithCommit(tx: Tx, st: Statement, values: unknown[]): void {
  checkAtCommit(tx, send(tx, st, values));
}

/**
 * Awaits promises that were issued together and surfaces the first failure in issue order (not the
 * first to settle), so an action reports the reason a user would expect first.
 */
export async function inOrder<T extends readonly unknown[]>(
  pending: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const outcomes = await Promise.allSettled(pending);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * `"snake_name" as "camelKey", …` for every column of a drizzle table, so a raw statement returns rows
 * shaped like the table's `$inferSelect` (timestamps arrive as Date from both drivers).
 */
export function selectList(table: Table): string {
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `"${getTableName(table)}"."${column.name}" as "${key}"`)
    .join(", ");
}
