/**
 * Phase 2 (b): GET /api/v1/feed?tab=discover|hot on the seeded database, first page and a deep page
 * (reached by following next_cursor from the top), anonymous and signed in (every request takes the
 * next viewer's token, so the viewer flags are computed for many users), in interleaved rounds next to
 * the bare Fastify route.
 */
import { apiRequest, probe } from "../lib/api.js";
import { type CpuUsage, cpuSnapshot, cpuUsage } from "../lib/cpu.js";
import { type Measurement, measure, median, percentOf, type RequestParams } from "../lib/load.js";
import type { ServerChild } from "../lib/server-child.js";

export interface FeedOptions {
  backend: ServerChild;
  bare: ServerChild;
  /** Bearer tokens of the signed-in viewers, taken in turn. */
  tokens: string[];
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Pages walked from the top (page size `limit`) to reach the deep cursor. */
  deepPages: number;
  limit: number;
  log: (message: string) => void;
}

export interface FeedTarget {
  key: string;
  label: string;
  route: string;
  tab: "discover" | "hot" | null;
  deep: boolean;
  auth: boolean;
  bytes: number;
  /** The round medians/worst (see combine). */
  m: Measurement;
  rounds: Measurement[];
  /** Per-round req/s as % of that round's bare run. */
  ratios: number[];
  /** Median of `ratios`. */
  ratio: number;
  cpu: CpuUsage[];
}

export interface FeedResult {
  targets: FeedTarget[];
  perRoundSeconds: number;
  rounds: number;
  limit: number;
  /** Position of the last item before the deep page, per tab. */
  deepPosition: Record<"discover" | "hot", number>;
  /** Snapshot sizes seen through the API walk: distinct works on the walked pages. */
  walked: Record<"discover" | "hot", { pages: number; distinct: number; items: number }>;
  viewers: number;
}

interface FeedPage {
  items: { work_id: string }[];
  next_cursor: string | null;
  has_more: boolean;
}

export async function benchFeed(opts: FeedOptions): Promise<FeedResult> {
  const base = opts.backend.baseUrl;
  const walked = {} as FeedResult["walked"];
  const deepCursor = {} as Record<"discover" | "hot", string>;
  const deepPosition = {} as Record<"discover" | "hot", number>;
  for (const tab of ["discover", "hot"] as const) {
    let cursor: string | null = null;
    const seen = new Set<string>();
    let items = 0;
    for (let page = 0; page < opts.deepPages; page++) {
      const q: string = `/api/v1/feed?tab=${tab}&limit=${opts.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const p: FeedPage = await apiRequest<FeedPage>(base, "GET", q);
      items += p.items.length;
      for (const it of p.items) seen.add(it.work_id);
      if (!p.next_cursor)
        throw new Error(`feed ${tab}: no next_cursor after page ${page + 1} (${items} items)`);
      cursor = p.next_cursor;
    }
    if (seen.size !== items)
      throw new Error(`feed ${tab}: ${items - seen.size} works repeated in the first pages`);
    walked[tab] = { pages: opts.deepPages, distinct: seen.size, items };
    deepCursor[tab] = cursor as string;
    deepPosition[tab] = items;
    opts.log(`feed: ${tab}: walked ${opts.deepPages} pages (${items} distinct works) to the deep cursor`);
  }

  let nextViewer = 0;
  const signedIn = (req: RequestParams): RequestParams => ({
    ...req,
    headers: { ...req.headers, authorization: `Bearer ${opts.tokens[nextViewer++ % opts.tokens.length]}` },
  });
  type Spec = Omit<FeedTarget, "bytes" | "m" | "rounds" | "ratios" | "ratio" | "cpu"> & { url: string };
  const specs: Spec[] = [
    {
      key: "bare",
      label: "bare Fastify",
      route: "GET /bare",
      url: `${opts.bare.baseUrl}/bare`,
      tab: null,
      deep: false,
      auth: false,
    },
  ];
  for (const tab of ["discover", "hot"] as const) {
    for (const deep of [false, true]) {
      for (const auth of [false, true]) {
        const query = `tab=${tab}&limit=${opts.limit}${deep ? `&cursor=${encodeURIComponent(deepCursor[tab])}` : ""}`;
        specs.push({
          key: `${tab}-${deep ? "deep" : "first"}-${auth ? "auth" : "anon"}`,
          label: `${tab}, ${deep ? `deep page (after ${deepPosition[tab]})` : "first page"}, ${auth ? "signed in" : "anonymous"}`,
          route: `GET /api/v1/feed?tab=${tab}${deep ? "&cursor=…" : ""}`,
          url: `${base}/api/v1/feed?${query}`,
          tab,
          deep,
          auth,
        });
      }
    }
  }
  const bytes = new Map<string, number>();
  for (const s of specs) {
    const headers: Record<string, string> = s.auth ? { authorization: `Bearer ${opts.tokens[0]}` } : {};
    const check = await probe(s.url, headers);
    if (check.status !== 200)
      throw new Error(`${s.route} answered ${check.status}: ${check.body.slice(0, 300)}`);
    if (s.tab) {
      const body = JSON.parse(check.body) as { data: FeedPage };
      if (body.data.items.length !== opts.limit) {
        throw new Error(`${s.label}: ${body.data.items.length} items, expected a full page of ${opts.limit}`);
      }
    }
    bytes.set(s.key, check.bytes);
  }

  const perRound = Math.max(1, Math.round(opts.seconds / opts.rounds));
  const rounds: Measurement[][] = [];
  const cpu: CpuUsage[][] = [];
  const pids = { backend: opts.backend.pid, bare: opts.bare.pid, bench: process.pid };
  for (let round = 0; round < opts.rounds; round++) {
    const measured: Measurement[] = [];
    const used: CpuUsage[] = [];
    for (const s of specs) {
      const warmupSeconds = round === 0 ? opts.warmupSeconds : 0;
      opts.log(
        `feed: round ${round + 1}/${opts.rounds}: ${s.label}: ${warmupSeconds} s warm-up + ${perRound} s…`,
      );
      const target = {
        name: s.key,
        url: s.url,
        ...(s.auth ? { setupRequest: (req: RequestParams) => signedIn(req) } : {}),
      };
      const run = (seconds: number) =>
        measure(target, { connections: opts.connections, seconds, warmupSeconds: 0 });
      const warm = warmupSeconds > 0 ? await run(warmupSeconds) : null;
      const before = cpuSnapshot(pids);
      const m = await run(perRound);
      used.push(cpuUsage(before, cpuSnapshot(pids)));
      measured.push(
        warm
          ? {
              ...m,
              warmup: {
                completed: warm.completed,
                sent: warm.sent,
                ok2xx: warm.ok2xx,
                non2xx: warm.non2xx,
                errors: warm.errors,
              },
            }
          : m,
      );
    }
    rounds.push(measured);
    cpu.push(used);
  }

  const targets: FeedTarget[] = specs.map((s, i) => {
    const runs = rounds.map((r) => r[i] as Measurement);
    const ratios = rounds.map((r) =>
      percentOf((r[i] as Measurement).reqPerSec, (r[0] as Measurement).reqPerSec),
    );
    return {
      key: s.key,
      label: s.label,
      route: s.route,
      tab: s.tab,
      deep: s.deep,
      auth: s.auth,
      bytes: bytes.get(s.key) ?? 0,
      m: combine(runs),
      rounds: runs,
      ratios,
      ratio: median(ratios),
      cpu: cpu.map((c) => c[i] as CpuUsage),
    };
  });
  return {
    targets,
    perRoundSeconds: perRound,
    rounds: opts.rounds,
    limit: opts.limit,
    deepPosition,
    walked,
    viewers: opts.tokens.length,
  };
}

/** One row for several rounds of a target: median req/s and p50, worst p99, summed counts. */
export function combine(ms: Measurement[]): Measurement {
  const first = ms[0] as Measurement;
  return {
    ...first,
    reqPerSec: median(ms.map((m) => m.reqPerSec)),
    p50Ms: median(ms.map((m) => m.p50Ms)),
    p99Ms: Math.max(...ms.map((m) => m.p99Ms)),
    completed: ms.reduce((n, m) => n + m.completed, 0),
    sent: ms.reduce((n, m) => n + m.sent, 0),
    ok2xx: ms.reduce((n, m) => n + m.ok2xx, 0),
    non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
    errors: ms.reduce((n, m) => n + m.errors, 0),
    timeouts: ms.reduce((n, m) => n + m.timeouts, 0),
  };
}
