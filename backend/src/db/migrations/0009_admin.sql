CREATE TABLE "admin_daily_stats" (
	"day" date PRIMARY KEY NOT NULL,
	"new_users" integer NOT NULL,
	"dau" integer NOT NULL,
	"generations" integer NOT NULL,
	"generations_succeeded" integer NOT NULL,
	"generations_failed" integer NOT NULL,
	"generations_refunded" integer NOT NULL,
	"generation_credits" bigint NOT NULL,
	"gmv_wechat" bigint NOT NULL,
	"gmv_alipay" bigint NOT NULL,
	"gmv_sandbox" bigint NOT NULL,
	"fee_milli" bigint NOT NULL,
	"commission_milli" bigint NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_settings" (
	"model_id" text PRIMARY KEY NOT NULL,
	"switched_on" boolean,
	"credits_per_second" integer,
	"durations" jsonb,
	"ratios" jsonb,
	"timeout_minutes" integer,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"ok" boolean NOT NULL,
	"report" jsonb NOT NULL,
	"ran_by" text,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendor_settings" (
	"vendor" text PRIMARY KEY NOT NULL,
	"switched_on" boolean NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "ban_reason" text;--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reconciliation_runs_ran_idx" ON "reconciliation_runs" USING btree ("ran_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_created_idx" ON "tasks" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "payment_orders_paid_idx" ON "payment_orders" USING btree ("paid_at") WHERE "payment_orders"."status" = 'paid';--> statement-breakpoint
CREATE INDEX "users_created_idx" ON "users" USING btree ("created_at");