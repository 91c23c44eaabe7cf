import pg from "pg";

export interface WaitSamples {
  /** Number of snapshots of pg_stat_activity taken. */
  snapshots: number;
  /** Session states seen, most frequent first: e.g. "active, Lock:transactionid" + the statement. */
  top: { state: string; statement: string; samples: number }[];
}

const SAMPLE_EVERY_MS = 100;
const TOP_WAITS = 6;

/**
 * Snapshots pg_stat_activity of the bench database every 100 ms until `stop()`: per session the state
 * (with the wait event, if any) and the start of its current or last statement.
 */
export async function sampleWaits(url: string): Promise<{ stop(): void; result: Promise<WaitSamples> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let running = true;
  const counts = new Map<string, { state: string; statement: string; samples: number }>();
  const result = (async () => {
    let snapshots = 0;
    try {
      while (running) {
        const { rows } = await client.query<{ state: string; statement: string }>(
          `select state || coalesce(', ' || wait_event_type || ':' || wait_event, '') as state,
                  left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as statement
           from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
             and state <> 'idle'`,
        );
        snapshots += 1;
        for (const r of rows) {
          const key = `${r.state}\u0000${r.statement}`;
          const entry = counts.get(key) ?? { state: r.state, statement: r.statement, samples: 0 };
          entry.samples += 1;
          counts.set(key, entry);
        }
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      }
    } finally {
      await client.end();
    }
    const top = [...counts.values()].sort((a, b) => b.samples - a.samples).slice(0, TOP_WAITS);
    return { snapshots, top };
  })();
  return {
    stop() {
      running = false;
    },
    result,
  };
}
