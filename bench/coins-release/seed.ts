/**
 * Phase 3b seed: creators and matured pending-coin lots built through set-based SQL (generate_series,
 * INSERT … SELECT; a handful of statements whatever the lot count) on a database the backend migrated.
 *
 * - Creators: the user row and the three accounts sign-up creates (`accountsOf`); their pending shards
 *   (`user:{id}:coins:pending:{k}`) exist where a lot landed, as `ledger_post` creates them lazily.
 * - Lots: one tip income per lot (`tip:{transaction id}`, type `tip_spend`, metadata source/payer) with the
 *   coin side of `incomePostings`: the creator's pending shard picked by the payer (`pendingShard`,
 *   computed in JS per payer and checked against the SQL ids) +amount, status pending, unlock_at = created_at +
 *   FREEZE_DAYS, and `platform:coins:creator_payable:{shardOf(payer)}` −amount, so each transaction sums
 *   to zero. The payer is another creator. Amounts are the creator share of a 10/20/50/100-credit tip.
 * - Lot n (1…matured) unlocks inside its own slot of a window that ends an hour before the seed, so a
 *   range of lots [a, b] is exactly "unlock_at between atOf(a − 1) and atOf(b)": the bench runs each
 *   release pass up to a range boundary.
 * - A few hundred lots spread over every range were already released by the per-lot job (a `coin_release`
 *   `lot:{posting}:release` transaction, ref_type lot, as releaseLot writes it) and a few dozen are remix
 *   incomes reversed before maturity (`lot:{posting}:reverse`, `creator_remix_reversal`, the income's coin
 *   postings negated as reverseLot writes them). `future` lots unlock after the seed: never due in the bench.
 * - postings.balance_after is the running balance of its account (ordered by created_at, id) and
 *   accounts.balance the sum of the account's postings, so `reconcile` is clean.
 * Ids are UUIDv7-shaped (time prefix from the row's created_at), like `newId`, so the ledger's id indexes
 * grow at their right edge as they do in production. The ledger rows are bulk-loaded: FK triggers off for the
 * session (checked afterwards with one anti-join), secondary indexes and the postings primary key dropped and
 * rebuilt from their own definitions.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { accountsOf, pendingShard, platform, shardOf } from "../../backend/src/ledger/accounts.js";
import { newId } from "../../backend/src/lib/ids.js";
import { splitFee } from "../../backend/src/lib/money.js";

export interface LotSeedSizes {
  /** Matured lots (the pre-released and reversed ones included). */
  matured: number;
  /**
   * The newest `open` matured lots are the backlog the bench releases (their per-lot jobs were lost); the
   * older `matured − open` were released by the per-lot job at their unlock time.
   */
  open: number;
  creators: number;
  /** Lots of the open part already released by the per-lot job (spread over it). */
  released: number;
  /** Remix-income lots reversed before maturity (spread over all ranges). */
  reversed: number;
  /** Lots that unlock after the seed (never due during the bench). */
  future: number;
}

export interface Economy {
  CREDIT_TO_MILLICOINS: number;
  CREATOR_PLATFORM_FEE_PERCENT: number;
  FREEZE_DAYS: number;
  TIP_AMOUNTS: number[];
}

export interface SeededEnd {
  /** Lot index (1-based, in unlock order). */
  n: number;
  postingId: string;
  endTransactionId: string;
}

export interface LotSeed {
  sizes: LotSeedSizes;
  /** The moment the seed was built (every matured lot unlocks before it). */
  seededAt: Date;
  /** First lot's slot start and the slot width: lot n unlocks inside [start + (n−1)·step, start + n·step). */
  startMs: number;
  stepMs: number;
  /** Lots 1…jobReleased were released by the per-lot job (all but the reversed ones among them). */
  jobReleased: number;
  released: SeededEnd[];
  reversed: SeededEnd[];
  /** Creator share of each tip amount (milli-coins), and of the reversed remix fee. */
  tipShares: bigint[];
  remixShare: bigint;
  counts: Record<string, number>;
  steps: { name: string; ms: number; rows: number }[];
  seedMs: number;
  vacuumMs: number;
}

/** The end of lot k's slot: `releaseMatured(…, atOf(k))` releases lots 1…k (and nothing after). */
export const atOf = (seed: Pick<LotSeed, "startMs" | "stepMs">, k: number): Date =>
  new Date(seed.startMs + k * seed.stepMs);

const DAY_MS = 24 * 3600_000;
/** The window the matured lots unlock in: from WINDOW_DAYS before the seed to an hour before it. */
const WINDOW_DAYS = 4;
const REMIX_FEE_CREDITS = 2;

/** `ts` (a timestamptz expression) as the 12 hex digits of its Unix milliseconds: a UUIDv7 time prefix. */
const hexMs = (ts: string) => `lpad(to_hex((extract(epoch from ${ts}) * 1000)::bigint), 12, '0')`;

/**
 * A UUIDv7-shaped id: the time prefix `hex` (see {@link hexMs}), version 7, then the id's role in the lot
 * (3 hex digits), the run's salt (4 hex digits, variant 8–b) and the lot number: unique without
 * gen_random_uuid(), which costs microseconds a call here (a million lots need six million ids).
 */
const id7 = (hex: string, role: number, n: string) =>
  `(substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-7' || '${role.toString(16).padStart(3, "0")}' || '-' || $9::text || '-' || lpad(to_hex(${n}), 12, '0'))`;

export async function seedLots(
  url: string,
  sizes: LotSeedSizes,
  economy: Economy,
  log: (message: string) => void,
): Promise<LotSeed> {
  if (sizes.creators < 2) throw new Error("need at least 2 creators (a payer never tips themself)");
  if (sizes.open > sizes.matured) throw new Error("more open lots than matured lots");
  if (sizes.released > sizes.open / 4 || sizes.reversed > sizes.matured / 4)
    throw new Error("too many pre-ended lots");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps: LotSeed["steps"] = [];
  const started = performance.now();
  const step = async (name: string, text: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const r = await client.query(text, params);
    const ms = performance.now() - t0;
    steps.push({ name, ms, rows: r.rowCount ?? 0 });
    log(`seed: ${name}: ${(r.rowCount ?? 0).toLocaleString("en-US")} rows, ${(ms / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    await client.query("set temp_buffers = '1GB'");
    await client.query("set synchronous_commit = off");
    await client.query("set work_mem = '256MB'");
    await client.query("set maintenance_work_mem = '512MB'");

    const seededAt = new Date();
    const endMs = seededAt.getTime() - 3600_000;
    const startMs = endMs - WINDOW_DAYS * DAY_MS + 3600_000;
    const stepMs = (endMs - startMs) / sizes.matured;
    const jobReleased = sizes.matured - sizes.open;
    const tipShares = economy.TIP_AMOUNTS.map(
      (credits) =>
        splitFee(BigInt(credits) * BigInt(economy.CREDIT_TO_MILLICOINS), economy.CREATOR_PLATFORM_FEE_PERCENT)
          .creator,
    );
    const remixShare = splitFee(
      BigInt(REMIX_FEE_CREDITS) * BigInt(economy.CREDIT_TO_MILLICOINS),
      economy.CREATOR_PLATFORM_FEE_PERCENT,
    ).creator;

    // Creators, with the shards they pick as a payer: the creator's pending shard index
    // (pendingShard(creator, payer)) and the creator_payable shard (platform.coinsCreatorPayable(payer)).
    const ids = Array.from({ length: sizes.creators }, () => newId());
    const pendingK = ids.map((id) => shardOf(id) % 16);
    const payableK = ids.map((id) => shardOf(id));
    const sample = ids[0]!;
    const other = ids[1]!;
    const pendingId = (creator: string, k: number) =>
      `user:${creator}:coins:pending${k === 0 ? "" : `:${k}`}`;
    if (
      pendingShard(sample, other).id !== pendingId(sample, pendingK[1]!) ||
      platform.coinsCreatorPayable(other).id !== `platform:coins:creator_payable:${payableK[1]}` ||
      accountsOf(sample).coinsAvailable.id !== `user:${sample}:coins:available`
    ) {
      throw new Error("pendingShard/platform/accountsOf changed their ids: update the coin-release seed");
    }
    await step(
      "seed_creators (temp)",
      `create temp table seed_creators as
       select n::int as n, id, pk::int as pk, platk::int as platk
       from unnest($1::text[], $2::int[], $3::int[]) with ordinality as t(id, pk, platk, n)`,
      [ids, pendingK, payableK],
    );
    await client.query("alter table seed_creators add primary key (n)");
    await step(
      "users",
      `insert into users (id, phone, nickname, status, is_creator, created_at, updated_at)
       select id, '13' || lpad(n::text, 9, '0'), '创作者' || lpad(n::text, 5, '0'), 'active', true,
              now() - interval '60 days', now() - interval '60 days'
       from seed_creators`,
    );

    // Lots in unlock order. Lots 1…jobReleased: released by the per-lot job a few minutes after their
    // unlock; in the open part every relStep-th lot was released too (the job ran for it after all);
    // every revStep-th lot of all is a remix income reversed before maturity.
    const relStep = Math.max(2, Math.floor(sizes.open / Math.max(1, sizes.released)));
    const revStep = Math.max(3, Math.floor(sizes.matured / Math.max(1, sizes.reversed)));
    const released =
      sizes.released > 0
        ? `(g > ${jobReleased} and g - ${jobReleased} <= ${sizes.released * relStep} and (g - ${jobReleased}) % ${relStep} = ${Math.floor(relStep / 2)})`
        : "false";
    const reversed =
      sizes.reversed > 0
        ? `(g <= ${sizes.reversed * revStep} and g % ${revStep} = ${Math.floor(revStep / 3)})`
        : "false";
    await step(
      "seed_lots (temp)",
      `create temp table seed_lots as
       select n, kind, creator_id, payer_id, account_id, platform_account, amount, unlock_at, created_at, end_at,
              ${id7("hc", 1, "n")} as tx_id, ${id7("hc", 2, "n")} as lot_pid, ${id7("hc", 3, "n")} as plat_pid,
              case when end_at is not null then ${id7("he", 4, "n")} end as end_tx,
              case when end_at is not null then ${id7("he", 5, "n")} end as end_a,
              case when end_at is not null then ${id7("he", 6, "n")} end as end_b
       from (
       select l.*, ${hexMs("l.created_at")} as hc, ${hexMs("l.end_at")} as he
       from (
         select x.n, x.kind, c.id as creator_id, p.id as payer_id,
                'user:' || c.id || ':coins:pending' || case when p.pk = 0 then '' else ':' || p.pk end as account_id,
                'platform:coins:creator_payable:' || p.platk as platform_account,
                x.amount, x.unlock_at, x.unlock_at - $7::int * interval '1 day' as created_at,
                case x.kind
                  when 'job' then x.unlock_at + (1 + 4 * random()) * interval '1 minute'
                  when 'released' then x.unlock_at + interval '30 minutes'
                  when 'reversed' then x.unlock_at - $7::int * interval '1 day' + interval '10 minutes'
                end as end_at
         from (
           select g::int as n, k.kind,
                  1 + floor(random() * $1::int)::int as cn, floor(random() * ($1::int - 1))::int as off,
                  case when k.kind = 'reversed' then $6::bigint
                       else ($5::bigint[])[1 + floor(random() * cardinality($5::bigint[]))::int] end as amount,
                  case when g <= $2::int
                       then to_timestamp($3::float8 / 1000) + (g - 0.999 + 0.998 * random()) * $4::float8 * interval '1 millisecond'
                       else now() + interval '1 day' + (g - $2::int) * interval '1 minute' end as unlock_at
           from generate_series(1, $2::int + $8::int) g
           cross join lateral (select case
             when g > $2::int then 'future'
             when ${reversed} then 'reversed'
             when g <= ${jobReleased} then 'job'
             when ${released} then 'released'
             else 'open' end as kind) k
         ) x
         join seed_creators c on c.n = x.cn
         join seed_creators p on p.n = 1 + (x.cn + x.off) % $1::int
       ) l
       ) h`,
      [
        sizes.creators,
        sizes.matured,
        startMs,
        stepMs,
        tipShares.map(String),
        remixShare.toString(),
        economy.FREEZE_DAYS,
        sizes.future,
        // The run's salt: the variant nibble 8–b, then 3 random hex digits.
        (0x8000 + Math.floor(Math.random() * 0x4000)).toString(16),
      ],
    );
    await client.query("alter table seed_lots add primary key (n)");
    await client.query("analyze seed_lots");

    // Bulk load: the ledger's secondary indexes are dropped and rebuilt afterwards from their own
    // definitions, and foreign-key triggers are off for this session (every id comes from seed_lots).
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes
       where schemaname = 'public' and tablename in ('postings', 'ledger_transactions')
         and indexname not in (select conname from pg_constraint where contype in ('p', 'u'))`,
    );
    for (const ix of indexes) await client.query(`drop index "${ix.name}"`);
    // Nothing references postings.id: its primary key is rebuilt after the load too.
    const { rows: pkeys } = await client.query<{ name: string; def: string }>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid = 'postings'::regclass and contype = 'p'`,
    );
    for (const pk of pkeys) await client.query(`alter table postings drop constraint "${pk.name}"`);
    await client.query("set session_replication_role = replica");
    await step(
      "ledger_transactions",
      `insert into ledger_transactions (id, business_key, type, ref_type, ref_id, description, metadata, created_at)
       select id, business_key, type, ref_type, ref_id, description, metadata, created_at from (
         select tx_id as id,
                case kind when 'reversed' then 'remix:' || tx_id || ':fee' else 'tip:' || tx_id end as business_key,
                case kind when 'reversed' then 'remix_spend' else 'tip_spend' end as type,
                case kind when 'reversed' then 'task' else 'work' end as ref_type,
                'bench:' || creator_id as ref_id,
                case kind when 'reversed' then '二创费 2 积分' else '打赏作品' end as description,
                jsonb_build_object('source', case kind when 'reversed' then 'remix' else 'tip' end,
                                   'payer_user_id', payer_id) as metadata,
                created_at
         from seed_lots
         union all
         select end_tx, 'lot:' || lot_pid || case kind when 'reversed' then ':reverse' else ':release' end,
                case kind when 'reversed' then 'creator_remix_reversal' else 'coin_release' end, 'lot', lot_pid,
                case kind when 'reversed' then '创作收益撤回' else '金币解冻' end,
                jsonb_build_object('lot_id', lot_pid, 'lot_transaction_id', tx_id, 'bench_seed', kind), end_at
         from seed_lots where end_tx is not null
       ) t order by id`,
    );
    // Every posting, with its account's running balance (balance_after).
    await step(
      "postings",
      `insert into postings (id, transaction_id, account_id, asset, amount, balance_after, entry_type, status,
                             unlock_at, created_at)
       select id, transaction_id, account_id, 'COIN', amount,
              sum(amount) over (partition by account_id order by created_at, id), entry_type, status, unlock_at,
              created_at
       from (
         select lot_pid as id, tx_id as transaction_id, account_id, amount,
                case kind when 'reversed' then 'creator_remix_income' else 'creator_tip_income' end as entry_type,
                'pending' as status, unlock_at, created_at
         from seed_lots
         union all
         select plat_pid, tx_id, platform_account, -amount,
                case kind when 'reversed' then 'creator_remix_income' else 'creator_tip_income' end,
                'settled', null, created_at
         from seed_lots
         union all
         select end_a, end_tx, account_id, -amount,
                case kind when 'reversed' then 'creator_remix_reversal' else 'coin_release' end, 'settled', null, end_at
         from seed_lots where end_tx is not null
         union all
         select end_b, end_tx,
                case kind when 'reversed' then platform_account else 'user:' || creator_id || ':coins:available' end,
                amount, case kind when 'reversed' then 'creator_remix_income' else 'coin_release' end,
                'settled', null, end_at
         from seed_lots where end_tx is not null
       ) y`,
    );
    await client.query("set session_replication_role = origin");
    await step(
      "accounts (with balances)",
      `insert into accounts (id, asset, owner_user_id, allow_negative, balance, created_at)
       select id, asset, owner, allow_negative, coalesce(b.total, 0), now() - interval '60 days'
       from (
         select 'user:' || id || ':credits' as id, 'CREDIT' as asset, id as owner, false as allow_negative
         from seed_creators
         union all select 'user:' || id || ':coins:available', 'COIN', id, false from seed_creators
         union all select 'user:' || id || ':coins:pending', 'COIN', id, false from seed_creators
         union
         select distinct account_id, 'COIN', split_part(account_id, ':', 2), false from seed_lots
         union
         select distinct platform_account, 'COIN', null, true from seed_lots
       ) a
       left join (select account_id, sum(amount) as total from postings group by account_id) b on b.account_id = a.id`,
    );
    for (const pk of pkeys) {
      const t0 = performance.now();
      await client.query(`alter table postings add constraint "${pk.name}" ${pk.def}`);
      steps.push({ name: `index ${pk.name.replace(/^postings_/, "")}`, ms: performance.now() - t0, rows: 0 });
      log(`seed: rebuilt ${pk.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const ix of indexes) {
      const t0 = performance.now();
      await client.query(ix.def);
      steps.push({
        name: `index ${ix.name.replace(/^(postings|ledger_transactions)_/, "")}`,
        ms: performance.now() - t0,
        rows: 0,
      });
      log(`seed: rebuilt ${ix.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const orphans = await step(
      "foreign-key check",
      `select 1 from postings p
       where not exists (select 1 from ledger_transactions t where t.id = p.transaction_id)
          or not exists (select 1 from accounts a where a.id = p.account_id)`,
    );
    if ((orphans.rowCount ?? 0) > 0) throw new Error(`${orphans.rowCount} postings break a foreign key`);
    const ends = await client.query<{ n: number; kind: string; lot_pid: string; end_tx: string }>(
      "select n, kind, lot_pid, end_tx from seed_lots where kind in ('released', 'reversed') order by n",
    );
    const endsOf = (kind: string) =>
      ends.rows
        .filter((r) => r.kind === kind)
        .map((r) => ({ n: r.n, postingId: r.lot_pid, endTransactionId: r.end_tx }));
    const seedMs = performance.now() - started;

    const v0 = performance.now();
    await client.query("vacuum (analyze, freeze)");
    const vacuumMs = performance.now() - v0;
    log(`seed: VACUUM (ANALYZE, FREEZE) ${(vacuumMs / 1000).toFixed(1)} s`);

    const { rows } = await client.query<Record<string, number>>(
      `select (select count(*)::int from users) as users,
              (select count(*)::int from accounts) as accounts,
              (select count(*)::int from accounts where id like '%:coins:pending%') as pending_accounts,
              (select count(*)::int from accounts where id like 'platform:%') as platform_accounts,
              (select count(*)::int from ledger_transactions) as ledger_transactions,
              (select count(*)::int from postings) as postings,
              (select count(*)::int from postings where status = 'pending' and amount > 0) as lots,
              (select count(*)::int from ledger_transactions where ref_type = 'lot') as lot_ends,
              (select count(*)::int from ledger_transactions where ref_type = 'lot' and metadata->>'bench_seed' = 'job')
                as job_ends,
              (select relallvisible::int from pg_class where relname = 'postings') as postings_all_visible,
              (select relpages::int from pg_class where relname = 'postings') as postings_pages,
              (select pg_total_relation_size('postings') / 1048576)::int as postings_mb,
              (select pg_relation_size('postings_lots_unlock_idx') / 1048576)::int as unlock_idx_mb,
              (select pg_relation_size('ledger_transactions_lot_end_uq') / 1048576)::int as lot_end_idx_mb,
              (select pg_total_relation_size('ledger_transactions') / 1048576)::int as transactions_mb`,
    );
    return {
      sizes,
      seededAt,
      startMs,
      stepMs,
      jobReleased,
      released: endsOf("released"),
      reversed: endsOf("reversed"),
      tipShares,
      remixShare,
      counts: rows[0] ?? {},
      steps,
      seedMs,
      vacuumMs,
    };
  } finally {
    await client.end();
  }
}
