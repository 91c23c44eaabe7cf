/**
 * Phase 3a checks, after the load with the backend stopped: every seeded order paid and fulfilled exactly
 * once (one `recharge` transaction `payment:{id}:fulfil` with its two postings, the payer's credits at
 * exactly the product's amount), the 5 % commission exactly for the invited payers (one pending lot on
 * the right promoter's pending coins each), one `fulfilled` log row per order, the duplicates logged as
 * duplicates and granting nothing (no other ledger transaction exists at all).
 */
import pg from "pg";
import type { NotificationBody } from "./notify.js";
import type { SeededPayer } from "./seed.js";

export interface Check {
  ok: boolean;
  line: string;
}

export interface VerifyOptions {
  dbUrl: string;
  payers: SeededPayer[];
  promoters: string[];
  notifications: NotificationBody[];
  duplicatesSent: number;
  credits: number;
  commissionMilli: number;
  freezeDays: number;
}

const n = (v: number) => v.toLocaleString("en-US");

export async function verifyPayments(opts: VerifyOptions): Promise<Check[]> {
  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  const checks: Check[] = [];
  const check = (ok: boolean, line: string) => checks.push({ ok, line });
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => {
    const { rows } = await client.query(sql, params);
    return rows[0] as T;
  };
  try {
    await client.query(
      `create temp table expected as
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(order_id, user_id, promoter_id, out_trade_no)`,
      [
        opts.payers.map((p) => p.orderId),
        opts.payers.map((p) => p.userId),
        opts.payers.map((p) => p.promoterUserId),
        opts.payers.map((p) => p.outTradeNo),
      ],
    );
    await client.query("alter table expected add primary key (order_id)");
    await client.query(
      `create temp table sent as select * from unnest($1::text[], $2::text[]) as t(out_trade_no, transaction_id)`,
      [opts.notifications.map((x) => x.outTradeNo), opts.notifications.map((x) => x.transactionId)],
    );
    await client.query("analyze expected; analyze sent");
    const total = opts.payers.length;
    const referred = opts.payers.filter((p) => p.promoterUserId !== null).length;

    const orders = await one<{
      rows: number;
      paid: number;
      fulfilled: number;
      trade_no: number;
      ours: number;
    }>(
      `select count(*)::int as rows,
              count(*) filter (where o.status = 'paid')::int as paid,
              count(*) filter (where o.fulfilled_at is not null and o.paid_at is not null)::int as fulfilled,
              count(*) filter (where o.gateway_trade_no = s.transaction_id)::int as trade_no,
              count(e.order_id)::int as ours
       from payment_orders o
       left join expected e on e.order_id = o.id
       left join sent s on s.out_trade_no = o.out_trade_no`,
    );
    check(
      orders.rows === total && orders.ours === total && orders.paid === total && orders.fulfilled === total,
      `every order paid and fulfilled: ${n(orders.paid)} paid, ${n(orders.fulfilled)} with paid_at and fulfilled_at, of ${n(orders.rows)} orders (${n(total)} seeded)`,
    );
    check(
      orders.trade_no === total && opts.notifications.length === total,
      `every order's gateway_trade_no is the transaction_id of its notification: ${n(orders.trade_no)}/${n(total)} (${n(opts.notifications.length)} distinct notifications sent)`,
    );

    const recharge = await one<{ once: number; all: number; shaped: number }>(
      `select (select count(*)::int from expected e
               where (select count(*) from ledger_transactions t
                      where t.business_key = 'payment:' || e.order_id || ':fulfil') = 1) as once,
              (select count(*)::int from ledger_transactions where type = 'recharge') as all,
              (select count(*)::int from ledger_transactions t join expected e
                 on t.business_key = 'payment:' || e.order_id || ':fulfil'
               where t.type = 'recharge' and t.ref_type = 'payment' and t.ref_id = e.order_id
                 and (select count(*) from postings p where p.transaction_id = t.id) = 2
                 and exists (select 1 from postings p where p.transaction_id = t.id
                             and p.account_id = 'user:' || e.user_id || ':credits' and p.amount = $1
                             and p.entry_type = 'recharge' and p.status = 'settled')
                 and exists (select 1 from postings p where p.transaction_id = t.id
                             and p.account_id like 'platform:credits:sold:%' and p.amount = -$1)) as shaped`,
      [opts.credits],
    );
    check(
      recharge.once === total && recharge.all === total && recharge.shaped === total,
      `exactly one \`recharge\` ledger transaction \`payment:{id}:fulfil\` per order: ${n(recharge.once)}/${n(total)} orders (${n(recharge.all)} recharge transactions in all; ${n(recharge.shaped)} with exactly +${opts.credits} on the payer's credits and −${opts.credits} on a \`platform:credits:sold\` shard)`,
    );

    const wallets = await one<{ credits_ok: number; postings: number; coins_zero: number }>(
      `select (select count(*)::int from expected e join accounts a on a.id = 'user:' || e.user_id || ':credits'
               where a.balance = $1) as credits_ok,
              (select count(*)::int from postings p join expected e on p.account_id = 'user:' || e.user_id || ':credits') as postings,
              (select count(*)::int from expected e join accounts a on a.owner_user_id = e.user_id
               where a.asset = 'COIN' and a.balance = 0) as coins_zero`,
      [opts.credits],
    );
    check(
      wallets.credits_ok === total && wallets.postings === total && wallets.coins_zero === 2 * total,
      `every payer's credits balance is exactly ${opts.credits} with one posting (from a zero wallet): ${n(wallets.credits_ok)}/${n(total)} balances, ${n(wallets.postings)} postings; payers' coin accounts still 0: ${n(wallets.coins_zero)}/${n(2 * total)}`,
    );

    const commission = await one<{ referred_once: number; plain_none: number; all: number; shaped: number }>(
      `select (select count(*)::int from expected e where e.promoter_id is not null
               and (select count(*) from ledger_transactions t
                    where t.business_key = 'payment:' || e.order_id || ':commission') = 1) as referred_once,
              (select count(*)::int from expected e where e.promoter_id is null
               and not exists (select 1 from ledger_transactions t
                               where t.business_key = 'payment:' || e.order_id || ':commission')) as plain_none,
              (select count(*)::int from ledger_transactions where type = 'referral_commission_income') as all,
              (select count(*)::int from ledger_transactions t join expected e
                 on t.business_key = 'payment:' || e.order_id || ':commission'
               where t.type = 'referral_commission_income' and t.ref_id = e.order_id
                 and (select count(*) from postings p where p.transaction_id = t.id) = 2
                 and exists (select 1 from postings p where p.transaction_id = t.id
                             and p.account_id like 'user:' || e.promoter_id || ':coins:pending%'
                             and p.amount = $1 and p.status = 'pending'
                             and abs(extract(epoch from p.unlock_at - t.created_at) - $2 * 86400) < 5)
                 and exists (select 1 from postings p where p.transaction_id = t.id
                             and p.account_id like 'platform:coins:commission_expense:%' and p.amount = -$1)) as shaped`,
      [opts.commissionMilli, opts.freezeDays],
    );
    check(
      commission.referred_once === referred &&
        commission.plain_none === total - referred &&
        commission.all === referred &&
        commission.shaped === referred,
      `commission exactly for the invited payers: ${n(commission.referred_once)}/${n(referred)} invited payers' orders have one \`payment:{id}:commission\` transaction, ${n(commission.plain_none)}/${n(total - referred)} others none (${n(commission.all)} commission transactions in all; ${n(commission.shaped)} with +${opts.commissionMilli} milli-coins pending on the promoter's pending coins, unlocking after ${opts.freezeDays} days, −${opts.commissionMilli} on a \`platform:coins:commission_expense\` shard)`,
    );

    const { rows: perPromoter } = await client.query<{ id: string; balance: string; invitees: number }>(
      `select p.id, coalesce((select sum(a.balance) from accounts a
                               where a.owner_user_id = p.id and a.id like 'user:%:coins:pending%'), 0)::text as balance,
              (select count(*)::int from expected e where e.promoter_id = p.id) as invitees
       from unnest($1::text[]) as p(id)`,
      [opts.promoters],
    );
    const wrong = perPromoter.filter(
      (r) => BigInt(r.balance) !== BigInt(r.invitees) * BigInt(opts.commissionMilli),
    );
    check(
      wrong.length === 0,
      `every promoter's pending coins = ${opts.commissionMilli} milli-coins × its paying invitees: ${perPromoter.length - wrong.length}/${perPromoter.length} promoters${wrong.length ? ` (e.g. ${wrong[0]!.id}: ${wrong[0]!.balance} for ${wrong[0]!.invitees})` : ""}`,
    );

    const logged = await one<{
      once: number;
      fulfilled: number;
      duplicate: number;
      rejected: number;
      other: number;
    }>(
      `select (select count(*)::int from expected e
               where (select count(*) from payment_notifications x
                      where x.payment_id = e.order_id and x.outcome = 'fulfilled') = 1) as once,
              count(*) filter (where outcome = 'fulfilled')::int as fulfilled,
              count(*) filter (where outcome = 'duplicate')::int as duplicate,
              count(*) filter (where outcome = 'rejected')::int as rejected,
              count(*) filter (where outcome not in ('fulfilled', 'duplicate', 'rejected'))::int as other
       from payment_notifications`,
    );
    check(
      logged.once === total && logged.fulfilled === total && logged.rejected === 0 && logged.other === 0,
      `one \`fulfilled\` notification log row per order: ${n(logged.once)}/${n(total)} (${n(logged.fulfilled)} in all), ${logged.rejected} rejected`,
    );
    const ledger = await one<{ all: number; payment: number }>(
      `select count(*)::int as all, count(*) filter (where ref_type = 'payment')::int as payment from ledger_transactions`,
    );
    check(
      logged.duplicate === opts.duplicatesSent &&
        ledger.all === total + referred &&
        ledger.payment === total + referred,
      `the duplicates granted nothing: ${n(logged.duplicate)} logged as \`duplicate\` of ${n(opts.duplicatesSent)} sent; ${n(ledger.all)} ledger transactions in the database = ${n(total)} grants + ${n(referred)} commissions`,
    );
    return checks;
  } finally {
    await client.end();
  }
}
