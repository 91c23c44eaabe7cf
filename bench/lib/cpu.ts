import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

/** CPU counters at one moment (Linux /proc; zeros elsewhere). */
export interface CpuSnapshot {
  at: number;
  /** Machine-wide jiffies: busy (everything but idle and iowait) and total. */
  busy: number;
  total: number;
  /** utime + stime jiffies of the watched processes, by label. */
  processes: Record<string, number>;
  /** utime + stime jiffies of every process named `postgres` (the server and its backends). */
  postgres: number;
}

export interface CpuUsage {
  seconds: number;
  /** Busy share of all CPUs of the machine, 0–100. */
  machinePercent: number;
  /** CPU time of each watched process per wall second, in cores (1.0 = one core all the time). */
  processCores: Record<string, number>;
  postgresCores: number;
  /** Busy cores not accounted for by the watched processes and PostgreSQL: other work on the machine. */
  otherCores: number;
  cpus: number;
}

const HZ = 100;

function jiffiesOf(pid: number | string): { comm: string; jiffies: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return { comm, jiffies: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Reads the machine's and the given processes' CPU counters (`pids`: label → pid). */
export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot {
  let busy = 0;
  let total = 0;
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    total = v.reduce((a, b) => a + b, 0);
    busy = total - (v[3] ?? 0) - (v[4] ?? 0);
  } catch {
    // not Linux
  }
  const processes: Record<string, number> = {};
  for (const [label, pid] of Object.entries(pids)) processes[label] = jiffiesOf(pid)?.jiffies ?? 0;
  let postgres = 0;
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const p = jiffiesOf(entry);
      if (p?.comm === "postgres") postgres += p.jiffies;
    }
  } catch {
    // not Linux
  }
  return { at: Date.now(), busy, total, processes, postgres };
}

/** What was used between two snapshots (processes that started in between are not counted). */
export function cpuUsage(a: CpuSnapshot, b: CpuSnapshot): CpuUsage {
  const seconds = Math.max(0.001, (b.at - a.at) / 1000);
  const cores = (j: number) => j / HZ / seconds;
  const processCores: Record<string, number> = {};
  for (const label of Object.keys(b.processes))
    processCores[label] = cores((b.processes[label] ?? 0) - (a.processes[label] ?? 0));
  const machinePercent = b.total > a.total ? (100 * (b.busy - a.busy)) / (b.total - a.total) : 0;
  const postgresCores = cores(Math.max(0, b.postgres - a.postgres));
  const cpus = os.cpus().length;
  const ours = Object.values(processCores).reduce((n, c) => n + c, 0) + postgresCores;
  return {
    seconds,
    machinePercent,
    processCores,
    postgresCores,
    otherCores: Math.max(0, (machinePercent / 100) * cpus - ours),
    cpus,
  };
}
