/**
 * Phase 3a seed: payers with zero wallets (the user row and the three accounts sign-up creates, all at
 * balance 0) and one pending WeChat Pay order each, as `createPayment` stores it after the prepay (product
 * snapshot from `snapshotOf`, out_trade_no = the id without dashes, 15-minute expiry, APP pay params).
 * Payers the caller picks are bound to a promoter (a `referrals` row, as a first login with a code binds
 * it), so the commission posting is part of the measured path.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { accountsOf } from "../../backend/src/ledger/accounts.js";
import { newId } from "../../backend/src/lib/ids.js";
import type { ProductSnapshot } from "../../backend/src/modules/payments/repository.js";
import { seedPhone } from "../phase2/seed.js";

export interface SeededPayer {
  userId: string;
  orderId: string;
  outTradeNo: string;
  amountFen: number;
  /** The promoter the payer is bound to, or null. */
  promoterUserId: string | null;
}

export interface OrderSeed {
  snapshot: ProductSnapshot;
  appId: string;
  mchId: string;
}

/** Expiry of a WeChat order as `createPayment` sets it (ORDER_TTL_MS). */
const ORDER_TTL_MS = 15 * 60_000;
/** No 0/O, 1/I, as the app's codes. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Phone numbers: promoters from 1, payers after them (one counter for the whole run). */
let nextPhone = 1;

/** `SKY` + the Shanghai year + 4 characters, the app's format, unique per index (< 32⁴). */
function referralCode(i: number): string {
  const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  let tail = "";
  for (let k = 0, n = i; k < 4; k++, n = Math.floor(n / CODE_ALPHABET.length))
    tail = CODE_ALPHABET[n % CODE_ALPHABET.length] + tail;
  return `SKY${year}${tail}`;
}

async function insertUsers(client: pg.Client, ids: string[], nickname: string, promoter: boolean) {
  const phones = ids.map(() => seedPhone(nextPhone++));
  const first = accountsOf(ids[0]!);
  if (
    first.credits.id !== `user:${ids[0]}:credits` ||
    first.coinsPending.id !== `user:${ids[0]}:coins:pending`
  )
    throw new Error(`accountsOf() changed its ids (${first.credits.id}): update the payments seed`);
  await client.query(
    `insert into users (id, phone, nickname, status, is_promoter, created_at, updated_at)
     select id, phone, $3 || lpad(n::text, 5, '0'), 'active', $4, now() - interval '1 day', now() - interval '1 day'
     from unnest($1::text[], $2::text[]) with ordinality as t(id, phone, n)`,
    [ids, phones, nickname, promoter],
  );
  await client.query(
    `insert into accounts (id, asset, owner_user_id, allow_negative, balance, created_at)
     select 'user:' || id || ':credits', 'CREDIT', id, false, 0, now() - interval '1 day' from unnest($1::text[]) id
     union all select 'user:' || id || ':coins:available', 'COIN', id, false, 0, now() - interval '1 day'
       from unnest($1::text[]) id
     union all select 'user:' || id || ':coins:pending', 'COIN', id, false, 0, now() - interval '1 day'
       from unnest($1::text[]) id`,
    [ids],
  );
}

/** `count` promoters: users with zero wallets, `is_promoter`, and a `promoters` row with a code. */
export async function seedPromoters(client: pg.Client, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  await insertUsers(client, ids, "推广员", true);
  await client.query(
    `insert into promoters (user_id, referral_code, payment_id, activated_at)
     select id, code, null, now() - interval '2 days' from unnest($1::text[], $2::text[]) as t(id, code)`,
    [ids, ids.map((_, i) => referralCode(i))],
  );
  return ids;
}

/** `count` payers, each with one pending order; payer k is bound to `promoterOf(k)` (null: not invited). */
export async function seedPayers(
  client: pg.Client,
  opts: { count: number; promoterOf: (k: number) => string | null; order: OrderSeed },
): Promise<{ payers: SeededPayer[]; ms: number }> {
  const t0 = performance.now();
  const { snapshot } = opts.order;
  const payers: SeededPayer[] = Array.from({ length: opts.count }, (_, k) => {
    const orderId = newId();
    return {
      userId: newId(),
      orderId,
      outTradeNo: orderId.replaceAll("-", ""),
      amountFen: snapshot.priceFen,
      promoterUserId: opts.promoterOf(k),
    };
  });
  await client.query("begin");
  try {
    await insertUsers(
      client,
      payers.map((p) => p.userId),
      "付款用户",
      false,
    );
    const referred = payers.filter((p) => p.promoterUserId !== null);
    await client.query(
      `insert into referrals (user_id, promoter_user_id, code, via, bound_at)
       select r.user_id, r.promoter_user_id, p.referral_code, 'login', now() - interval '1 day'
       from unnest($1::text[], $2::text[]) as r(user_id, promoter_user_id)
       join promoters p on p.user_id = r.promoter_user_id`,
      [referred.map((p) => p.userId), referred.map((p) => p.promoterUserId)],
    );
    // What createPayment stores after an APP prepay (the pay params' sign is not checked by anyone here).
    const now = new Date();
    const payParams = payers.map((p) =>
      JSON.stringify({
        appid: opts.order.appId,
        partnerid: opts.order.mchId,
        prepayid: `wx${p.outTradeNo.slice(0, 30)}`,
        package: "Sign=WXPay",
        noncestr: randomBytes(16).toString("hex"),
        timestamp: String(Math.floor(now.getTime() / 1000)),
        sign: "bench",
      }),
    );
    await client.query(
      `insert into payment_orders (id, out_trade_no, user_id, product_id, product_type, product_snapshot,
                                   amount_fen, currency, channel, client, status, pay_params, expire_at,
                                   created_at, updated_at)
       select id, out_trade_no, user_id, $4, $5, $6::jsonb, $7, 'CNY', 'wechat', 'app', 'pending', params::jsonb,
              $8::timestamptz, $9::timestamptz, $9::timestamptz
       from unnest($1::text[], $2::text[], $3::text[], $10::text[]) as t(id, out_trade_no, user_id, params)`,
      [
        payers.map((p) => p.orderId),
        payers.map((p) => p.outTradeNo),
        payers.map((p) => p.userId),
        snapshot.id,
        snapshot.type,
        JSON.stringify(snapshot),
        snapshot.priceFen,
        new Date(now.getTime() + ORDER_TTL_MS).toISOString(),
        now.toISOString(),
        payParams,
      ],
    );
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  }
  return { payers, ms: performance.now() - t0 };
}
