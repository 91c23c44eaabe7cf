CREATE TABLE "job_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"actor_user_id" text,
	"ref_type" text,
	"ref_id" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_assignments" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"task_key" text NOT NULL,
	"category" text NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"target" integer NOT NULL,
	"reward_credits" integer NOT NULL,
	"completed_at" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"assigned_by" text NOT NULL,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_assignments_user_id_day_task_key_pk" PRIMARY KEY("user_id","day","task_key"),
	CONSTRAINT "task_assignments_progress_check" CHECK ("task_assignments"."progress" between 0 and "task_assignments"."target")
);
--> statement-breakpoint
CREATE TABLE "task_definitions" (
	"key" text PRIMARY KEY NOT NULL,
	"category" text NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text NOT NULL,
	"description_zh" text NOT NULL,
	"description_en" text NOT NULL,
	"reward_credits" integer NOT NULL,
	"target" integer DEFAULT 1 NOT NULL,
	"repeatable" boolean DEFAULT true NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "task_definitions_category_check" CHECK ("task_definitions"."category" in ('active', 'create', 'interact')),
	CONSTRAINT "task_definitions_reward_check" CHECK ("task_definitions"."reward_credits" > 0 and "task_definitions"."target" > 0)
);
--> statement-breakpoint
CREATE TABLE "user_roles" (
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"granted_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_roles_user_id_role_pk" PRIMARY KEY("user_id","role"),
	CONSTRAINT "user_roles_role_check" CHECK ("user_roles"."role" in ('admin', 'finance', 'moderator'))
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"method" text NOT NULL,
	"account_sealed" text NOT NULL,
	"account_masked" text NOT NULL,
	"name_masked" text NOT NULL,
	"bank_name" text,
	"status" text DEFAULT 'applied' NOT NULL,
	"reason" text,
	"day" date NOT NULL,
	"reviewer_id" text,
	"processed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"payout_channel" text,
	"payout_status" text DEFAULT 'none' NOT NULL,
	"payout_ref" text,
	"payout_error" text,
	"payout_attempts" integer DEFAULT 0 NOT NULL,
	"payout_next_query_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "withdrawals_amount_check" CHECK ("withdrawals"."amount_fen" > 0),
	CONSTRAINT "withdrawals_status_check" CHECK ("withdrawals"."status" in ('applied', 'approved', 'paid', 'rejected', 'failed'))
);
--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("user_id") WHERE "notifications"."read_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe_uq" ON "notifications" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "task_assignments_active_idx" ON "task_assignments" USING btree ("day","user_id") WHERE "task_assignments"."task_key" = 'login_daily' and "task_assignments"."completed_at" is not null;--> statement-breakpoint
CREATE INDEX "withdrawals_user_idx" ON "withdrawals" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "withdrawals_user_day_idx" ON "withdrawals" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "withdrawals_status_idx" ON "withdrawals" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "withdrawals_payout_open_idx" ON "withdrawals" USING btree ("payout_next_query_at") WHERE "withdrawals"."payout_status" in ('pending', 'processing');--> statement-breakpoint
CREATE INDEX "postings_lots_unlock_idx" ON "postings" USING btree ("unlock_at","id") WHERE "postings"."status" = 'pending' and "postings"."amount" > 0;--> statement-breakpoint
INSERT INTO "task_definitions" ("key", "category", "title_zh", "title_en", "description_zh", "description_en", "reward_credits", "target", "repeatable", "active", "sort") VALUES
  ('login_daily', 'active', '每日登录', 'Daily check-in', '打开天空即兴即可完成', 'Open SkyRiff today', 2, 1, true, true, 10),
  ('gen_success', 'create', '成功生成 1 个视频', 'Generate a video', '在创作页生成一个视频并成功完成', 'Finish one video generation', 2, 1, true, true, 20),
  ('publish_work', 'create', '发布 1 个作品', 'Publish a work', '把资产中的视频发布到发现', 'Publish one of your videos', 2, 1, true, true, 21),
  ('remix_work', 'create', '二创 1 个作品', 'Remix a work', '基于他人的作品进行二创', 'Remix someone''s work', 2, 1, true, true, 22),
  ('like_work', 'interact', '点赞 1 个作品', 'Like a work', '给喜欢的作品点个赞', 'Like a work you enjoy', 2, 1, true, true, 30),
  ('follow_user', 'interact', '关注 1 位创作者', 'Follow a creator', '关注一位你喜欢的创作者', 'Follow a creator you like', 2, 1, true, true, 31),
  ('tip_and_favorite', 'interact', '打赏并收藏 1 个作品', 'Tip and favorite', '打赏并收藏一个作品', 'Tip and favorite a work', 2, 1, true, true, 32);
