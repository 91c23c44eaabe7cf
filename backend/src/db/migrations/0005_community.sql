CREATE TABLE "activity_events" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"ref_id" text,
	"day" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "favorites" (
	"user_id" text NOT NULL,
	"work_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "favorites_user_id_work_id_pk" PRIMARY KEY("user_id","work_id")
);
--> statement-breakpoint
CREATE TABLE "feed_snapshot_versions" (
	"tab" text NOT NULL,
	"version" integer NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feed_snapshot_versions_tab_version_pk" PRIMARY KEY("tab","version")
);
--> statement-breakpoint
CREATE TABLE "feed_snapshots" (
	"tab" text NOT NULL,
	"version" integer NOT NULL,
	"position" integer NOT NULL,
	"work_id" text NOT NULL,
	CONSTRAINT "feed_snapshots_tab_version_position_pk" PRIMARY KEY("tab","version","position")
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"follower_id" text NOT NULL,
	"followee_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_follower_id_followee_id_pk" PRIMARY KEY("follower_id","followee_id"),
	CONSTRAINT "follows_not_self" CHECK ("follows"."follower_id" <> "follows"."followee_id")
);
--> statement-breakpoint
CREATE TABLE "likes" (
	"user_id" text NOT NULL,
	"work_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "likes_user_id_work_id_pk" PRIMARY KEY("user_id","work_id")
);
--> statement-breakpoint
CREATE TABLE "prompt_unlocks" (
	"user_id" text NOT NULL,
	"work_id" text NOT NULL,
	"cost_credits" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prompt_unlocks_user_id_work_id_pk" PRIMARY KEY("user_id","work_id")
);
--> statement-breakpoint
CREATE TABLE "sensitive_words" (
	"word" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tips" (
	"id" text PRIMARY KEY NOT NULL,
	"work_id" text NOT NULL,
	"payer_user_id" text NOT NULL,
	"creator_user_id" text NOT NULL,
	"amount_credits" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_stats" (
	"user_id" text PRIMARY KEY NOT NULL,
	"followers_count" integer DEFAULT 0 NOT NULL,
	"following_count" integer DEFAULT 0 NOT NULL,
	"likes_received" integer DEFAULT 0 NOT NULL,
	"works_count" integer DEFAULT 0 NOT NULL,
	"total_tipped_credits" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "user_stats_non_negative" CHECK ("user_stats"."followers_count" >= 0 and "user_stats"."following_count" >= 0 and "user_stats"."likes_received" >= 0 and "user_stats"."works_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "work_stats" (
	"work_id" text PRIMARY KEY NOT NULL,
	"like_count" integer DEFAULT 0 NOT NULL,
	"favorite_count" integer DEFAULT 0 NOT NULL,
	"tip_count" integer DEFAULT 0 NOT NULL,
	"tip_credits" bigint DEFAULT 0 NOT NULL,
	"share_count" integer DEFAULT 0 NOT NULL,
	"view_count" integer DEFAULT 0 NOT NULL,
	"remix_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "work_stats_non_negative" CHECK ("work_stats"."like_count" >= 0 and "work_stats"."favorite_count" >= 0 and "work_stats"."tip_count" >= 0 and "work_stats"."share_count" >= 0 and "work_stats"."view_count" >= 0 and "work_stats"."remix_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "work_views" (
	"work_id" text NOT NULL,
	"viewer_key" text NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "work_views_work_id_viewer_key_day_pk" PRIMARY KEY("work_id","viewer_key","day")
);
--> statement-breakpoint
CREATE TABLE "works" (
	"id" text PRIMARY KEY NOT NULL,
	"creator_user_id" text NOT NULL,
	"video_id" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"prompt" text NOT NULL,
	"is_prompt_locked" boolean DEFAULT true NOT NULL,
	"prompt_price_credits" integer DEFAULT 5 NOT NULL,
	"remix_fee_credits" integer DEFAULT 2 NOT NULL,
	"allow_remix" boolean DEFAULT true NOT NULL,
	"remix_of_work_id" text,
	"status" text DEFAULT 'published' NOT NULL,
	"takedown_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "works_prompt_price_range" CHECK ("works"."prompt_price_credits" between 0 and 100),
	CONSTRAINT "works_remix_fee_range" CHECK ("works"."remix_fee_credits" between 0 and 50)
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_type" text DEFAULT 'create' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_work_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "remix_fee_credits" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "display_prompt" text;--> statement-breakpoint
CREATE INDEX "activity_events_user_day_idx" ON "activity_events" USING btree ("user_id","day","kind");--> statement-breakpoint
CREATE INDEX "favorites_user_created_idx" ON "favorites" USING btree ("user_id","created_at" DESC NULLS LAST,"work_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "favorites_work_idx" ON "favorites" USING btree ("work_id");--> statement-breakpoint
CREATE INDEX "follows_followee_created_idx" ON "follows" USING btree ("followee_id","created_at" DESC NULLS LAST,"follower_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "follows_follower_created_idx" ON "follows" USING btree ("follower_id","created_at" DESC NULLS LAST,"followee_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "likes_work_idx" ON "likes" USING btree ("work_id");--> statement-breakpoint
CREATE INDEX "tips_work_idx" ON "tips" USING btree ("work_id");--> statement-breakpoint
CREATE INDEX "tips_creator_created_idx" ON "tips" USING btree ("creator_user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tips_payer_created_idx" ON "tips" USING btree ("payer_user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "user_stats_tipped_idx" ON "user_stats" USING btree ("total_tipped_credits" DESC NULLS LAST,"user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "works_video_uq" ON "works" USING btree ("video_id");--> statement-breakpoint
CREATE INDEX "works_creator_idx" ON "works" USING btree ("creator_user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "works"."status" = 'published';--> statement-breakpoint
CREATE INDEX "works_published_created_idx" ON "works" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "works"."status" = 'published';--> statement-breakpoint
CREATE INDEX "works_remix_of_idx" ON "works" USING btree ("remix_of_work_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transactions_lot_end_uq" ON "ledger_transactions" USING btree ("ref_id") WHERE "ledger_transactions"."ref_type" = 'lot';--> statement-breakpoint
CREATE INDEX "postings_pending_lots_idx" ON "postings" USING btree ("account_id","unlock_at","id") WHERE "postings"."status" = 'pending';