/**
 * Phase 2 seed: a community of the issue's size built through SQL (generate_series, INSERT … SELECT),
 * on a database the backend has migrated. Users get the accounts the app creates at sign-up
 * (`accountsOf`: credits, coins available, coins pending) and a credits grant posted as proper
 * double-entry rows (one `bonus` ledger transaction per user: the user's credits +G, the grant shard of
 * `platform:credits:granted` −G, balances and `balance_after` consistent with the postings). Works each
 * get a video_assets row (fake storage keys: local signing never reads the file), a works row and a
 * work_stats row; likes, favorites and follows are unique pairs, tips never pay one's own work, and every
 * counter (work_stats, user_stats, users.is_creator) is computed from the rows with UPDATE … FROM
 * (SELECT … GROUP BY). Popularity is skewed (a few works take many likes) over a random permutation of
 * the works, independent of their age; works are spread over the last 20 days, so the 24 h hot tab holds
 * about 1/20 of them.
 *
 * Seeded tips are rows and counters only: they carry no ledger postings (the tip bench's own tips go
 * through the API and post their full ledger transaction).
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { accountsOf, platform } from "../../backend/src/ledger/accounts.js";
import { newId } from "../../backend/src/lib/ids.js";

export interface SeedSizes {
  users: number;
  /** Users 1..creators own every work (each at least one). */
  creators: number;
  works: number;
  likes: number;
  favorites: number;
  tips: number;
  followsPerUser: number;
  /** Credits granted to every user (the tip bench's payers spend them). */
  creditsPerUser: number;
}

export const DEFAULT_SEED: SeedSizes = {
  users: 10_000,
  creators: 5_000,
  works: 100_000,
  likes: 1_000_000,
  favorites: 200_000,
  tips: 50_000,
  followsPerUser: 20,
  creditsPerUser: 100_000,
};

export interface SeededUser {
  /** 1-based index: users 1..creators are the creators. */
  n: number;
  id: string;
  phone: string;
}

export interface SeedResult {
  sizes: SeedSizes;
  users: SeededUser[];
  /** Rows in the database after the build. */
  counts: Record<string, number>;
  steps: { name: string; ms: number }[];
  totalMs: number;
}

/** Days the works' creation times are spread over (the hot tab keeps the last 24 h). */
const SPREAD_DAYS = 20;
const TIP_AMOUNTS = [10, 20, 50, 100];

export const seedPhone = (n: number) => `13${String(n).padStart(9, "0")}`;

export async function buildSeed(
  url: string,
  sizes: SeedSizes,
  log: (message: string) => void,
): Promise<SeedResult> {
  if (sizes.creators > sizes.users || sizes.creators > sizes.works)
    throw new Error("creators > users or works");
  if (sizes.followsPerUser >= sizes.creators) throw new Error("followsPerUser must be < creators");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps: { name: string; ms: number }[] = [];
  const started = performance.now();
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const r = await client.query(sql, params);
    const ms = performance.now() - t0;
    steps.push({ name, ms });
    log(`seed: ${name}: ${r.rowCount ?? 0} rows, ${(ms / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    await client.query("set synchronous_commit = off");
    await client.query("set work_mem = '128MB'");
    await client.query("set maintenance_work_mem = '256MB'");

    // Users: ids as the app makes them (UUIDv7), the grant's platform shard as the app picks it.
    const users: SeededUser[] = Array.from({ length: sizes.users }, (_, i) => ({
      n: i + 1,
      id: newId(),
      phone: seedPhone(i + 1),
    }));
    const ids = users.map((u) => u.id);
    const accountIds = users.map((u) => {
      const a = accountsOf(u.id);
      return [a.credits.id, a.coinsAvailable.id, a.coinsPending.id];
    });
    await step(
      "seed_users (temp)",
      `create temp table seed_users as
       select n::int as n, id, phone, gshard, gen_random_uuid()::text as grant_tx,
              now() - interval '60 days' + (n::float8 / $4) * interval '30 days' as created_at
       from unnest($1::text[], $2::text[], $3::text[]) with ordinality as t(id, phone, gshard, n)`,
      [ids, users.map((u) => u.phone), users.map((u) => platform.creditsGranted(u.id).id), sizes.users],
    );
    await client.query("alter table seed_users add primary key (n)");
    await step(
      "users",
      `insert into users (id, phone, nickname, status, created_at, updated_at)
       select id, phone, '用户' || lpad(n::text, 5, '0'), 'active', created_at, created_at from seed_users`,
    );
    // Same ids as accountsOf(): user:{id}:credits, user:{id}:coins:available, user:{id}:coins:pending.
    if (
      accountIds[0]?.[0] !== `user:${ids[0]}:credits` ||
      accountIds[0]?.[2] !== `user:${ids[0]}:coins:pending`
    ) {
      throw new Error(`accountsOf() changed its ids (${accountIds[0]?.join(", ")}): update the seed`);
    }
    await step(
      "accounts (3 per user)",
      `insert into accounts (id, asset, owner_user_id, allow_negative, balance, created_at)
       select 'user:' || id || ':credits', 'CREDIT', id, false, $1::bigint, created_at from seed_users
       union all select 'user:' || id || ':coins:available', 'COIN', id, false, 0, created_at from seed_users
       union all select 'user:' || id || ':coins:pending', 'COIN', id, false, 0, created_at from seed_users`,
      [sizes.creditsPerUser],
    );
    await step(
      "grant platform shards",
      `insert into accounts (id, asset, owner_user_id, allow_negative, balance)
       select gshard, 'CREDIT', null, true, -$1::bigint * count(*) from seed_users group by gshard
       on conflict (id) do update set balance = accounts.balance + excluded.balance`,
      [sizes.creditsPerUser],
    );
    await step(
      "ledger_transactions (one bonus grant per user)",
      `insert into ledger_transactions (id, business_key, type, ref_type, ref_id, description, created_at)
       select grant_tx, 'seed_grant:' || id, 'bonus', 'seed', id, '基准测试种子积分', created_at from seed_users`,
    );
    await step(
      "postings (2 per grant)",
      `insert into postings (id, transaction_id, account_id, asset, amount, balance_after, entry_type, status, created_at)
       select gen_random_uuid()::text, grant_tx, 'user:' || id || ':credits', 'CREDIT', $1::bigint, $1::bigint,
              'bonus', 'settled', created_at
       from seed_users
       union all
       select gen_random_uuid()::text, grant_tx, gshard, 'CREDIT', -$1::bigint,
              -$1::bigint * row_number() over (partition by gshard order by n), 'bonus', 'settled', created_at
       from seed_users`,
      [sizes.creditsPerUser],
    );

    // Works: n ≤ creators go to creator n (every creator has one), the rest to a skewed pick of creators.
    // `pop` is a random permutation: the popularity rank, independent of the creation time.
    await step(
      "seed_works (temp)",
      `create temp table seed_works as
       select n, id, video_id, creator_id, created_at, (row_number() over (order by random()))::int as pop
       from (
         select g as n, gen_random_uuid()::text as id, gen_random_uuid()::text as video_id,
                case when g <= $2 then g else 1 + floor($2 * power(random(), 1.5))::int end as creator_n,
                now() - random() * interval '${SPREAD_DAYS} days' as created_at
         from generate_series(1, $1::int) g
       ) w join lateral (select u.id as creator_id from seed_users u where u.n = w.creator_n) c on true`,
      [sizes.works, sizes.creators],
    );
    await client.query("alter table seed_works add primary key (n)");
    await client.query("create unique index on seed_works (pop)");
    await step(
      "video_assets",
      `insert into video_assets (id, owner_user_id, prompt, source_key, play_key, thumb_key, duration_ms, ratio,
                                 width, height, publish_status, created_at)
       select video_id, creator_id, '种子作品 ' || n, 'videos/seed-' || n || '/source.mp4',
              'videos/seed-' || n || '/play.mp4', 'videos/seed-' || n || '/thumb.jpg', 10000, '9:16', 720, 1280,
              'published', created_at - interval '1 minute'
       from seed_works`,
    );
    await step(
      "works",
      `insert into works (id, creator_user_id, video_id, title, description, prompt, is_prompt_locked,
                          prompt_price_credits, remix_fee_credits, allow_remix, status, created_at, updated_at)
       select id, creator_id, video_id, '作品 #' || n, '', '一只纸船漂过雨夜的上海弄堂 #' || n, n % 2 = 0,
              5, 2, true, 'published', created_at, created_at
       from seed_works`,
    );
    await step("work_stats", "insert into work_stats (work_id) select id from seed_works");

    // A skewed popularity rank: rank = ceil(works · r²), r uniform — the top work gets ~1 % of the picks.
    const pick = (r: string) => `greatest(1, ceil($2::int * power(${r}, 2)))::int`;
    await step(
      "likes",
      `insert into likes (user_id, work_id, created_at)
       select u.id, w.id, w.created_at + random() * (now() - w.created_at)
       from (
         select distinct un, wp from (
           select 1 + floor(random() * $3::int)::int as un, ${pick("random()")} as wp
           from generate_series(1, ($1::int * 1.25)::int)
         ) c limit $1::int
       ) p
       join seed_users u on u.n = p.un join seed_works w on w.pop = p.wp`,
      [sizes.likes, sizes.works, sizes.users],
    );
    await step(
      "tips",
      `insert into tips (id, work_id, payer_user_id, creator_user_id, amount_credits, created_at)
       select gen_random_uuid()::text, w.id, u.id, w.creator_id,
              ($4::int[])[1 + floor(random() * 4)::int], w.created_at + random() * (now() - w.created_at)
       from (
         select 1 + floor(random() * $3::int)::int as un, ${pick("random()")} as wp
         from generate_series(1, ($1::int * 1.1)::int)
       ) p
       join seed_users u on u.n = p.un join seed_works w on w.pop = p.wp
       where u.id <> w.creator_id
       limit $1::int`,
      [sizes.tips, sizes.works, sizes.users, TIP_AMOUNTS],
    );
    // tip_and_favorite favorites the work: every tipped (payer, work) is a favorite, the rest random.
    await step(
      "favorites (every tip's payer and work)",
      `insert into favorites (user_id, work_id, created_at)
       select payer_user_id, work_id, min(created_at) from tips group by payer_user_id, work_id`,
    );
    await step(
      "favorites (the rest)",
      `insert into favorites (user_id, work_id, created_at)
       select u.id, w.id, w.created_at + random() * (now() - w.created_at)
       from (
         select distinct un, wp from (
           select 1 + floor(random() * $3::int)::int as un, ${pick("random()")} as wp
           from generate_series(1, ($1::int * 1.3)::int)
         ) c
       ) p
       join seed_users u on u.n = p.un join seed_works w on w.pop = p.wp
       where not exists (select 1 from favorites f where f.user_id = u.id and f.work_id = w.id)
       limit greatest(0, $1::int - (select count(*) from favorites))`,
      [sizes.favorites, sizes.works, sizes.users],
    );
    // Every user follows followsPerUser distinct creators (never themselves): creator
    // ((u·31 + k·97) mod creators) + 1 is distinct for k < creators / 97.
    await step(
      "follows",
      `insert into follows (follower_id, followee_id, created_at)
       select f.id, c.id, f.created_at + random() * (now() - f.created_at)
       from (
         select un, cn, row_number() over (partition by un order by k) as i
         from (
           select u as un, ((u * 31 + k * 97) % $2::int) + 1 as cn, k
           from generate_series(1, $1::int) u, generate_series(0, $3::int) k
         ) x where cn <> un
       ) p
       join seed_users f on f.n = p.un join seed_users c on c.n = p.cn
       where p.i <= $3::int`,
      [sizes.users, sizes.creators, sizes.followsPerUser],
    );

    // Counters from the rows.
    await step(
      "work_stats.like_count",
      `update work_stats s set like_count = x.n from (select work_id, count(*)::int as n from likes group by work_id) x
       where s.work_id = x.work_id`,
    );
    await step(
      "work_stats.favorite_count",
      `update work_stats s set favorite_count = x.n
       from (select work_id, count(*)::int as n from favorites group by work_id) x where s.work_id = x.work_id`,
    );
    await step(
      "work_stats.tip_count, tip_credits",
      `update work_stats s set tip_count = x.n, tip_credits = x.credits
       from (select work_id, count(*)::int as n, sum(amount_credits)::bigint as credits from tips group by work_id) x
       where s.work_id = x.work_id`,
    );
    await step(
      "user_stats",
      `insert into user_stats (user_id, followers_count, following_count, likes_received, works_count,
                               total_tipped_credits)
       select u.id, coalesce(fr.n, 0), coalesce(fg.n, 0), coalesce(wk.likes, 0), coalesce(wk.n, 0),
              coalesce(tp.credits, 0)
       from seed_users u
       left join (select followee_id, count(*)::int as n from follows group by followee_id) fr on fr.followee_id = u.id
       left join (select follower_id, count(*)::int as n from follows group by follower_id) fg on fg.follower_id = u.id
       left join (select w.creator_user_id, count(*)::int as n, sum(s.like_count)::int as likes
                  from works w join work_stats s on s.work_id = w.id group by w.creator_user_id) wk
              on wk.creator_user_id = u.id
       left join (select creator_user_id, sum(amount_credits)::bigint as credits from tips group by creator_user_id) tp
              on tp.creator_user_id = u.id`,
    );
    await step(
      "users.is_creator",
      "update users u set is_creator = true from user_stats s where s.user_id = u.id and s.works_count > 0",
    );
    await client.query("drop table seed_works");
    await client.query("drop table seed_users");

    const { rows } = await client.query<Record<string, number>>(
      `select (select count(*)::int from users) as users, (select count(*)::int from accounts) as accounts,
              (select count(*)::int from postings) as postings, (select count(*)::int from works) as works,
              (select count(*)::int from video_assets) as video_assets, (select count(*)::int from work_stats) as work_stats,
              (select count(*)::int from likes) as likes, (select count(*)::int from favorites) as favorites,
              (select count(*)::int from tips) as tips, (select count(*)::int from follows) as follows,
              (select count(*)::int from works where created_at > now() - interval '24 hours') as works_last_24h`,
    );
    const counts = rows[0] ?? {};
    const short = Object.entries({ likes: sizes.likes, favorites: sizes.favorites, tips: sizes.tips }).filter(
      ([k, v]) => (counts[k] ?? 0) !== v,
    );
    if (short.length > 0) {
      throw new Error(
        `seed came out short: ${short.map(([k, v]) => `${k} ${counts[k]} of ${v}`).join(", ")}`,
      );
    }
    const totalMs = performance.now() - started;
    log(`seed: built in ${(totalMs / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
    return { sizes, users, counts, steps, totalMs };
  } finally {
    await client.end();
  }
}

/** VACUUM ANALYZE of the whole bench database (outside any transaction). */
export async function vacuumAnalyze(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    await client.query("vacuum analyze");
    return performance.now() - t0;
  } finally {
    await client.end();
  }
}

/**
 * Proves the seed's counters against its rows (the same sums the app's recount job makes) and that the
 * hand-posted grants balance; returns the problems found.
 */
export async function checkSeedCounters(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ check: string; bad: number }>(
      `select 'work_stats.like_count' as check, count(*)::int as bad from work_stats s
         where like_count <> (select count(*) from likes l where l.work_id = s.work_id)
       union all select 'work_stats.favorite_count', count(*)::int from work_stats s
         where favorite_count <> (select count(*) from favorites f where f.work_id = s.work_id)
       union all select 'work_stats.tip_count', count(*)::int from work_stats s
         where tip_count <> (select count(*) from tips t where t.work_id = s.work_id)
       union all select 'user_stats.followers_count', count(*)::int from user_stats u
         where followers_count <> (select count(*) from follows f where f.followee_id = u.user_id)
       union all select 'user_stats.total_tipped_credits', count(*)::int from user_stats u
         where total_tipped_credits <> (select coalesce(sum(amount_credits), 0) from tips t where t.creator_user_id = u.user_id)`,
    );
    return rows.filter((r) => r.bad > 0).map((r) => `${r.check}: ${r.bad} rows differ from a recount`);
  } finally {
    await client.end();
  }
}
