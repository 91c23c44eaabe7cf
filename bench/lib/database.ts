import { randomBytes } from "node:crypto";
import pg from "pg";
import { onCleanup } from "./cleanup.js";

export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  /** The admin URL with the database swapped for the new one. */
  url: string;
  /** `select version()` of the server. */
  serverVersion: string;
  /** Terminates leftover connections and drops the database. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database `<prefix>_<random>` on the server behind `adminUrl` (a URL whose
 * user may create databases) and registers its drop with the cleanup registry.
 */
export async function createBenchDatabase(
  adminUrl: string,
  prefix = "skyriff_bench",
): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const serverVersion = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ version: string }>("select version()");
    await client.query(`create database "${name}"`);
    return rows[0]?.version ?? "unknown";
  });

  let dropping: Promise<void> | null = null;
  const drop = (): Promise<void> => {
    dropping ??= withClient(adminUrl, async (client) => {
      await client.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [name],
      );
      await client.query(`drop database if exists "${name}"`);
    }).finally(unregister);
    return dropping;
  };
  const unregister = onCleanup(`drop database ${name}`, () => drop());

  return { name, url: url.toString(), serverVersion, drop };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL with any password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}
