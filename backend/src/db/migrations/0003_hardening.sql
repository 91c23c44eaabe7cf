CREATE TABLE "generation_quotas" (
	"user_id" text PRIMARY KEY NOT NULL,
	"unfinished" integer DEFAULT 0 NOT NULL,
	"day" date NOT NULL,
	"day_count" integer DEFAULT 0 NOT NULL,
	"refused" text,
	CONSTRAINT "generation_quotas_unfinished_non_negative" CHECK ("generation_quotas"."unfinished" >= 0)
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "status_code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "timeout_at" timestamp with time zone;--> statement-breakpoint
UPDATE "tasks" SET "timeout_at" = "created_at" + interval '30 minutes';--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "timeout_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
UPDATE "outbox" SET "lease_until" = "dispatched_at" + interval '1 minute' WHERE "dispatched_at" IS NOT NULL AND "completed_at" IS NULL;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "successor_sealed" text;--> statement-breakpoint
CREATE INDEX "tasks_unfinished_timeout_idx" ON "tasks" USING btree ("timeout_at") WHERE "tasks"."status" in ('NOT_START', 'QUEUED', 'IN_PROGRESS');--> statement-breakpoint
INSERT INTO "generation_quotas" ("user_id", "unfinished", "day", "day_count")
SELECT "user_id",
  count(*) FILTER (WHERE "status" IN ('NOT_START', 'QUEUED', 'IN_PROGRESS')),
  ((now() AT TIME ZONE 'UTC') + interval '8 hours')::date,
  count(*) FILTER (WHERE (("created_at" AT TIME ZONE 'UTC') + interval '8 hours')::date = ((now() AT TIME ZONE 'UTC') + interval '8 hours')::date)
FROM "tasks" GROUP BY "user_id";--> statement-breakpoint
-- One ledger transaction in one round trip (see backend/src/ledger/post.ts). No NOTIFY in here: a notifying
-- transaction takes a global lock through its commit, which would serialize every spend. p_accounts holds each touched
-- account once with its net delta, in the caller's lock order; p_postings the postings in order. A business
-- key that exists already posts nothing and returns the existing postings with replayed = true. A user
-- account that would go negative raises SQLSTATE SRL01 with the details as JSON, aborting the transaction.
CREATE OR REPLACE FUNCTION ledger_post(
  p_transaction_id text,
  p_business_key text,
  p_type text,
  p_ref_type text,
  p_ref_id text,
  p_description text,
  p_metadata jsonb,
  p_created_at timestamptz,
  p_accounts jsonb,
  p_postings jsonb
) RETURNS TABLE (posting_id text, transaction_id text, account_id text, amount bigint, balance_after bigint, entry_type text, replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_id text;
  v_balance bigint;
  v_finals jsonb := '{}'::jsonb;
  a record;
BEGIN
  INSERT INTO ledger_transactions (id, business_key, type, ref_type, ref_id, description, metadata, created_at)
  VALUES (p_transaction_id, p_business_key, p_type, p_ref_type, p_ref_id, p_description, p_metadata, p_created_at)
  ON CONFLICT (business_key) DO NOTHING
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    RETURN QUERY
      SELECT p.id, p.transaction_id, p.account_id, p.amount, p.balance_after, p.entry_type, true
      FROM postings p JOIN ledger_transactions t ON t.id = p.transaction_id
      WHERE t.business_key = p_business_key
      ORDER BY p.id;
    RETURN;
  END IF;

  FOR a IN
    SELECT x.value->>'id' AS id, x.value->>'asset' AS asset, x.value->>'owner' AS owner,
      (x.value->>'allow_negative')::boolean AS allow_negative, (x.value->>'delta')::bigint AS delta
    FROM jsonb_array_elements(p_accounts) WITH ORDINALITY AS x(value, n)
    ORDER BY x.n
  LOOP
    UPDATE accounts SET balance = accounts.balance + a.delta
    WHERE accounts.id = a.id AND (accounts.allow_negative OR accounts.balance + a.delta >= 0)
    RETURNING accounts.balance INTO v_balance;
    IF NOT FOUND THEN
      INSERT INTO accounts (id, asset, owner_user_id, allow_negative)
      VALUES (a.id, a.asset, a.owner, a.allow_negative)
      ON CONFLICT (id) DO NOTHING;
      UPDATE accounts SET balance = accounts.balance + a.delta
      WHERE accounts.id = a.id AND (accounts.allow_negative OR accounts.balance + a.delta >= 0)
      RETURNING accounts.balance INTO v_balance;
      IF NOT FOUND THEN
        SELECT accounts.balance INTO v_balance FROM accounts WHERE accounts.id = a.id;
        RAISE EXCEPTION 'insufficient balance on %', a.id USING
          ERRCODE = 'SRL01',
          DETAIL = json_build_object('account', a.id, 'asset', a.asset, 'balance', coalesce(v_balance, 0)::text,
            'required', (-a.delta)::text)::text;
      END IF;
    END IF;
    v_finals := v_finals || jsonb_build_object(a.id, v_balance::text);
  END LOOP;

  RETURN QUERY
    WITH given AS (
      SELECT x.value AS v, x.n FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS x(value, n)
    ), computed AS (
      SELECT g.v->>'id' AS id, g.v->>'account_id' AS account_id, g.v->>'asset' AS asset,
        (g.v->>'amount')::bigint AS amount, g.v->>'entry_type' AS entry_type,
        coalesce(g.v->>'status', 'settled') AS status, (g.v->>'unlock_at')::timestamptz AS unlock_at, g.n
      FROM given g
    ), running AS (
      SELECT c.*, (v_finals->>c.account_id)::bigint
          - sum(c.amount) OVER (PARTITION BY c.account_id)
          + sum(c.amount) OVER (PARTITION BY c.account_id ORDER BY c.n) AS after
      FROM computed c
    ), inserted AS (
      INSERT INTO postings (id, transaction_id, account_id, asset, amount, balance_after, entry_type, status, unlock_at, created_at)
      SELECT r.id, p_transaction_id, r.account_id, r.asset, r.amount, r.after, r.entry_type, r.status, r.unlock_at, p_created_at
      FROM running r
      RETURNING postings.id, postings.account_id, postings.amount, postings.balance_after, postings.entry_type
    )
    SELECT i.id, p_transaction_id, i.account_id, i.amount, i.balance_after, i.entry_type, false FROM inserted i;
END;
$$;
