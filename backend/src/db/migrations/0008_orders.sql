CREATE TABLE "order_applications" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"applicant_id" text NOT NULL,
	"proposal_text" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"publisher_id" text NOT NULL,
	"title" text NOT NULL,
	"brief" text NOT NULL,
	"category" text NOT NULL,
	"budget_milli" bigint NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'published' NOT NULL,
	"outcome" text,
	"awarded_user_id" text,
	"awarded_at" timestamp with time zone,
	"delivered_work_id" text,
	"delivered_at" timestamp with time zone,
	"auto_accept_at" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"cancel_reason" text,
	"deadline_notified_at" timestamp with time zone,
	"dispute_reason" text,
	"disputed_at" timestamp with time zone,
	"settled_by" text,
	"settle_note" text,
	"creator_share_milli" bigint,
	"creator_paid_milli" bigint,
	"refunded_milli" bigint,
	"applications_count" integer DEFAULT 0 NOT NULL,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_status_check" CHECK ("orders"."status" in ('published', 'awarded', 'cancel_requested', 'delivered', 'disputed', 'completed', 'cancelled', 'split')),
	CONSTRAINT "orders_budget_check" CHECK ("orders"."budget_milli" >= 10000),
	CONSTRAINT "orders_awarded_check" CHECK ("orders"."status" in ('published', 'cancelled') or "orders"."awarded_user_id" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "order_applications_uq" ON "order_applications" USING btree ("order_id","applicant_id");--> statement-breakpoint
CREATE INDEX "order_applications_order_idx" ON "order_applications" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "order_applications_applicant_idx" ON "order_applications" USING btree ("applicant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_open_idx" ON "orders" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "orders"."status" = 'published';--> statement-breakpoint
CREATE INDEX "orders_publisher_idx" ON "orders" USING btree ("publisher_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_published_deadline_idx" ON "orders" USING btree ("deadline_at") WHERE "orders"."status" = 'published';--> statement-breakpoint
CREATE INDEX "orders_awarded_deadline_idx" ON "orders" USING btree ("deadline_at") WHERE "orders"."status" = 'awarded' and "orders"."deadline_notified_at" is null;--> statement-breakpoint
CREATE INDEX "orders_cancel_requested_deadline_idx" ON "orders" USING btree ("deadline_at") WHERE "orders"."status" = 'cancel_requested';--> statement-breakpoint
CREATE INDEX "orders_auto_accept_idx" ON "orders" USING btree ("auto_accept_at") WHERE "orders"."status" = 'delivered';--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);