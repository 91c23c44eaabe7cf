/**
 * Phase 3b checks, after every release pass (the pools closed): every matured lot ended exactly once; the
 * bench's releases are exactly `releaseLot`'s (business key, metadata, the two postings on the lot's shard
 * and the owner's available coins, the lot's amount); the pre-released and reversed seeds kept their one
 * seeded end and nothing else; the future lots stayed open; the `coins_released` notifications add up to the
 * releases;
 * the available and pending balances equal the lots' amounts; the per-range counts match each pass.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import type { LotSeed } from "./seed.js";

export interface Check {
  ok: boolean;
  line: string;
}

export interface RangeExpectation {
  label: string;
  /** Lots with unlock_at in (after, upTo]. */
  after: Date;
  upTo: Date;
  /** Open lots in the range: the releases the bench must have made there. */
  expected: number;
}

const n = (v: number | string) => Number(v).toLocaleString("en-US");

export async function verifyReleases(opts: {
  dbUrl: string;
  seed: LotSeed;
  /** The last pass's `at`: every lot unlocking up to it is matured. */
  maturedUpTo: Date;
  ranges: RangeExpectation[];
  /** Sum of `released` over every releaseMatured call of the bench. */
  reportedReleased: number;
  reportedFailed: number;
  /** Open lots of all ranges: what the bench's passes must have released. */
  expectedReleases: number;
  log?: (message: string) => void;
}): Promise<Check[]> {
  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  const checks: Check[] = [];
  const check = (ok: boolean, line: string) => checks.push({ ok, line });
  const one = async <T>(text: string, params: unknown[] = []): Promise<T> => {
    const t0 = performance.now();
    const { rows } = await client.query(text, params);
    opts.log?.(`verify: ${text.replace(/\s+/g, " ").slice(0, 60)}… ${Math.round(performance.now() - t0)} ms`);
    return rows[0] as T;
  };
  const { seed } = opts;
  const seededEnds = [
    ...seed.released.map((e) => ({ ...e, kind: "release" })),
    ...seed.reversed.map((e) => ({ ...e, kind: "reverse" })),
  ];
  const { expectedReleases } = opts;
  const seededEndCount = seed.sizes.matured - expectedReleases;
  try {
    await client.query("set work_mem = '256MB'");
    // The planner's statistics date from the seed, before a million lot ends were written.
    await client.query("analyze postings, ledger_transactions, accounts, notifications");
    await client.query(
      `create temp table seeded_ends as
       select * from unnest($1::text[], $2::text[], $3::text[]) as t(tx_id, posting_id, kind)`,
      [
        seededEnds.map((e) => e.endTransactionId),
        seededEnds.map((e) => e.postingId),
        seededEnds.map((e) => e.kind),
      ],
    );
    await client.query("alter table seeded_ends add primary key (tx_id)");
    await client.query("analyze seeded_ends");

    const lots = await one<{
      lots: number;
      matured: number;
      open_matured: number;
      ends: number;
      distinct_ends: number;
    }>(
      `select count(*)::int as lots,
              count(*) filter (where p.unlock_at <= $1::timestamptz)::int as matured,
              count(*) filter (where p.unlock_at <= $1::timestamptz and not exists (
                select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = p.id))::int as open_matured,
              (select count(*)::int from ledger_transactions where ref_type = 'lot') as ends,
              (select count(distinct ref_id)::int from ledger_transactions where ref_type = 'lot') as distinct_ends
       from postings p where p.status = 'pending' and p.amount > 0`,
      [opts.maturedUpTo.toISOString()],
    );
    const wantLots = seed.sizes.matured + seed.sizes.future;
    check(
      lots.lots === wantLots && lots.matured === seed.sizes.matured && lots.open_matured === 0,
      `every matured lot ended: ${n(lots.matured)} matured lots (${n(seed.sizes.matured)} seeded), ${lots.open_matured} still open; ${n(lots.lots)} lot postings in all (${n(wantLots)} seeded: none added, none removed)`,
    );
    check(
      lots.ends === lots.distinct_ends && lots.ends === seed.sizes.matured,
      `each lot ended at most once: ${n(lots.ends)} lot ends (ref_type lot) for ${n(lots.distinct_ends)} distinct lots; ${n(seed.sizes.matured)} expected (every matured lot once)`,
    );

    const rel = await one<{ ends: number; keyed: number; exact: number; amount: string }>(
      `with rel as (
         select e.id, e.ref_id, e.business_key, e.metadata->>'lot_id' as lot_id
         from ledger_transactions e
         where e.ref_type = 'lot' and e.type = 'coin_release' and not (e.metadata ? 'bench_seed')
       ), legs as materialized (
         select p.transaction_id, count(*) as n,
                max(case when p.amount < 0 then p.account_id end) as debit_account, min(p.amount) as debit,
                max(case when p.amount > 0 then p.account_id end) as credit_account, max(p.amount) as credit
         from postings p join rel on rel.id = p.transaction_id group by p.transaction_id
       )
       select count(*)::int as ends,
              count(*) filter (where r.business_key = 'lot:' || r.ref_id || ':release' and r.lot_id = r.ref_id)::int
                as keyed,
              count(*) filter (where g.n = 2 and g.debit_account = l.account_id and g.debit = -l.amount
                and g.credit_account = 'user:' || a.owner_user_id || ':coins:available' and g.credit = l.amount)::int
                as exact,
              coalesce(sum(l.amount), 0)::text as amount
       from rel r
       left join legs g on g.transaction_id = r.id
       left join postings l on l.id = r.ref_id
       left join accounts a on a.id = l.account_id`,
    );
    check(
      rel.ends === expectedReleases && rel.keyed === rel.ends && rel.exact === rel.ends,
      `the bench released ${n(rel.ends)} lots (expected ${n(expectedReleases)}: the ${n(seed.sizes.open)} open lots minus the pre-released and reversed ones among them); ${n(rel.keyed)} with business key \`lot:{posting}:release\` and metadata lot_id, ${n(rel.exact)} with exactly the lot's amount moved from its pending shard to the owner's \`coins:available\``,
    );
    check(
      opts.reportedReleased === expectedReleases && opts.reportedFailed === 0,
      `releaseMatured summaries: released ${n(opts.reportedReleased)} in all (expected ${n(expectedReleases)}), failed ${opts.reportedFailed}`,
    );

    const seeded = await one<{ lots: number; only_seeded: number; other_ends: number; legs_ok: number }>(
      `select count(*)::int as lots,
              count(*) filter (where e.id = s.tx_id)::int as only_seeded,
              (select count(*)::int from ledger_transactions x join seeded_ends y on y.posting_id = x.ref_id
               where x.ref_type = 'lot' and x.id <> y.tx_id) as other_ends,
              count(*) filter (where (select count(*) from postings p where p.transaction_id = s.tx_id) = 2)::int as legs_ok
       from seeded_ends s
       left join ledger_transactions e on e.ref_type = 'lot' and e.ref_id = s.posting_id`,
    );
    const bulk = await one<{ ends: number; job: number; postings: number }>(
      `select count(*)::int as ends, count(*) filter (where metadata->>'bench_seed' = 'job')::int as job,
              (select count(*)::int from postings) as postings
       from ledger_transactions where ref_type = 'lot' and metadata ? 'bench_seed'`,
    );
    const wantPostings = (seed.counts.postings ?? 0) + 2 * expectedReleases;
    check(
      seeded.lots === seededEnds.length &&
        seeded.only_seeded === seededEnds.length &&
        seeded.other_ends === 0 &&
        seeded.legs_ok === seededEnds.length &&
        bulk.ends === seededEndCount &&
        bulk.postings === wantPostings,
      `pre-ended seeds untouched: the ${seed.released.length} lots of the backlog already released and the ${seed.reversed.length} reversed lots each still have only their seeded end (${seeded.only_seeded}/${seededEnds.length}; ${seeded.other_ends} other ends), those end transactions still 2 postings each (${seeded.legs_ok}/${seededEnds.length}); ${n(bulk.ends)} seeded lot ends in all (${n(seededEndCount)} seeded, ${n(bulk.job)} by the per-lot job before the backlog); ${n(bulk.postings)} postings = the seed's ${n(seed.counts.postings ?? 0)} + 2 per release (${n(wantPostings)})`,
    );

    const future = await one<{ lots: number; ended: number }>(
      `select count(*)::int as lots,
              count(*) filter (where exists (select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = p.id))::int
                as ended
       from postings p where p.status = 'pending' and p.amount > 0 and p.unlock_at > $1::timestamptz`,
      [opts.maturedUpTo.toISOString()],
    );
    check(
      future.lots === seed.sizes.future && future.ended === 0,
      `lots not due stay open: ${future.ended} of ${future.lots} future lots ended (${seed.sizes.future} seeded)`,
    );

    // One row per lot (`lot:{posting}:released`, data.coins) or, since the daily digest, one row per owner
    // and Shanghai day (`coins_released:{user}:{day}`, data.milli and data.lots added up per release).
    const notes = await one<{ rows: number; distinct_keys: number; lots: number; milli: string }>(
      `select count(*)::int as rows, count(distinct dedupe_key)::int as distinct_keys,
              coalesce(sum(coalesce((data->>'lots')::int, 1)), 0)::int as lots,
              coalesce(sum(coalesce((data->>'milli')::bigint, ((data->>'coins')::numeric * 1000)::bigint)), 0)::text
                as milli
       from notifications where kind = 'coins_released'`,
    );
    check(
      notes.lots === expectedReleases && notes.milli === rel.amount && notes.distinct_keys === notes.rows,
      `\`coins_released\` notifications add up to the releases: ${n(notes.rows)} rows (${n(notes.distinct_keys)} distinct dedupe keys) telling ${n(notes.lots)} lots (expected ${n(expectedReleases)}) and ${n(notes.milli)} milli-coins (released: ${n(rel.amount)})`,
    );

    const sums = await one<{
      available: string;
      pending: string;
      released_lots: string;
      future_lots: string;
    }>(
      `select (select coalesce(sum(balance), 0) from accounts where id like 'user:%:coins:available')::text as available,
              (select coalesce(sum(balance), 0) from accounts where id ~ ':coins:pending(:[0-9]+)?$')::text as pending,
              (select coalesce(sum(p.amount), 0) from postings p
               where p.status = 'pending' and p.amount > 0 and p.unlock_at <= $1::timestamptz
                 and not exists (select 1 from ledger_transactions e
                                 where e.ref_type = 'lot' and e.ref_id = p.id and e.type <> 'coin_release'))::text
                as released_lots,
              (select coalesce(sum(p.amount), 0) from postings p
               where p.status = 'pending' and p.amount > 0 and p.unlock_at > $1::timestamptz)::text as future_lots`,
      [opts.maturedUpTo.toISOString()],
    );
    check(
      sums.available === sums.released_lots && sums.pending === sums.future_lots,
      `balances: creators' coins:available sum ${n(sums.available)} milli-coins = the amounts of every matured, unreversed lot (${n(sums.released_lots)}); pending shards sum ${n(sums.pending)} = the future lots (${n(sums.future_lots)})`,
    );

    const { rows: perRange } = await client.query<{ label: string; released: number }>(
      `select r.label, count(e.id)::int as released
       from unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) as r(label, lo, hi)
       left join postings l on l.status = 'pending' and l.amount > 0 and l.unlock_at > r.lo and l.unlock_at <= r.hi
       left join ledger_transactions e on e.ref_type = 'lot' and e.ref_id = l.id and e.type = 'coin_release'
         and not (e.metadata ? 'bench_seed')
       group by r.label`,
      [
        opts.ranges.map((r) => r.label),
        opts.ranges.map((r) => r.after.toISOString()),
        opts.ranges.map((r) => r.upTo.toISOString()),
      ],
    );
    const got = new Map(perRange.map((r) => [r.label, r.released]));
    check(
      opts.ranges.every((r) => got.get(r.label) === r.expected),
      `per unlock range, releases = open lots: ${opts.ranges.map((r) => `${r.label} ${n(got.get(r.label) ?? 0)}/${n(r.expected)}`).join(", ")}`,
    );
    return checks;
  } finally {
    await client.end();
  }
}
