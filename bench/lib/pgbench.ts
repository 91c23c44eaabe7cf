import { spawn } from "node:child_process";
import { createBenchDatabase } from "./database.js";

export interface PgbenchResult {
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  tps: number;
  latencyAvgMs: number;
  transactions: number;
  command: string;
  version: string;
}

/**
 * The machine's own write ceiling: pgbench's TPC-B-like run (`pgbench -i -s <scale>` on a scratch database,
 * then `-c <clients> -j <threads> -T <seconds> -M prepared`), in the same bench run as the load it is
 * compared with, so both see the same machine state.
 */
export async function runPgbench(
  adminUrl: string,
  opts: { scale: number; clients: number; threads: number; seconds: number; log: (m: string) => void },
): Promise<PgbenchResult> {
  const db = await createBenchDatabase(adminUrl, "skyriff_pgbench");
  try {
    const url = new URL(db.url);
    const conn = [
      "-h",
      url.hostname,
      "-p",
      url.port || "5432",
      "-U",
      decodeURIComponent(url.username || "postgres"),
    ];
    const env: Record<string, string> = url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {};
    opts.log(`pgbench: initialising scale ${opts.scale} on ${db.name}…`);
    await run("pgbench", ["-i", "-s", String(opts.scale), "-q", ...conn, db.name], env);
    const args = [
      "-c",
      String(opts.clients),
      "-j",
      String(opts.threads),
      "-T",
      String(opts.seconds),
      "-M",
      "prepared",
      ...conn,
      db.name,
    ];
    opts.log(`pgbench: ${args.slice(0, 8).join(" ")}…`);
    const out = await run("pgbench", args, env);
    const number = (re: RegExp) => {
      const m = out.match(re);
      if (!m?.[1]) throw new Error(`pgbench output without ${re}: ${out.slice(-500)}`);
      return Number(m[1]);
    };
    return {
      scale: opts.scale,
      clients: opts.clients,
      threads: opts.threads,
      seconds: opts.seconds,
      tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
      latencyAvgMs: number(/latency average = ([\d.]+) ms/),
      transactions: number(/number of transactions actually processed: (\d+)/),
      command: `pgbench -i -s ${opts.scale}; pgbench ${args.slice(0, 8).join(" ")}`,
      version: (await run("pgbench", ["--version"], env)).trim(),
    };
  } finally {
    await db.drop();
  }
}

export interface PgbenchSession {
  /** One `pgbench -c <clients> -j <threads> -T <seconds> -M prepared` run on the initialised database. */
  run(opts: { clients: number; threads: number; seconds: number }): Promise<PgbenchResult>;
  /** Drops the scratch database. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Like {@link runPgbench}, but initialises the scratch database once and runs pgbench as often as the
 * caller wants, so a bench can interleave short reference runs with its own load (a shared machine's
 * speed drifts within a minute).
 */
export async function pgbenchSession(
  adminUrl: string,
  opts: { scale: number; log: (m: string) => void },
): Promise<PgbenchSession> {
  const db = await createBenchDatabase(adminUrl, "skyriff_pgbench");
  const url = new URL(db.url);
  const conn = [
    "-h",
    url.hostname,
    "-p",
    url.port || "5432",
    "-U",
    decodeURIComponent(url.username || "postgres"),
  ];
  const env: Record<string, string> = url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {};
  try {
    opts.log(`pgbench: initialising scale ${opts.scale} on ${db.name}…`);
    await run("pgbench", ["-i", "-s", String(opts.scale), "-q", ...conn, db.name], env);
  } catch (err) {
    await db.drop();
    throw err;
  }
  const version = (await run("pgbench", ["--version"], env)).trim();
  return {
    async run(r) {
      const args = [
        "-c",
        String(r.clients),
        "-j",
        String(r.threads),
        "-T",
        String(r.seconds),
        "-M",
        "prepared",
      ];
      const out = await run("pgbench", [...args, ...conn, db.name], env);
      const number = (re: RegExp) => {
        const m = out.match(re);
        if (!m?.[1]) throw new Error(`pgbench output without ${re}: ${out.slice(-500)}`);
        return Number(m[1]);
      };
      return {
        scale: opts.scale,
        clients: r.clients,
        threads: r.threads,
        seconds: r.seconds,
        tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
        latencyAvgMs: number(/latency average = ([\d.]+) ms/),
        transactions: number(/number of transactions actually processed: (\d+)/),
        command: `pgbench -i -s ${opts.scale}; pgbench ${args.join(" ")}`,
        version,
      };
    },
    drop: () => db.drop(),
  };
}

function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      output += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      output += c;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${output.slice(-800)}`));
    });
  });
}
