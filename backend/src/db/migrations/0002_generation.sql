CREATE TABLE "media_assets" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_user_id" text NOT NULL,
	"storage_key" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_user_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"prompt" text NOT NULL,
	"duration_sec" integer NOT NULL,
	"ratio" text NOT NULL,
	"model" text NOT NULL,
	"vendor" text NOT NULL,
	"vendor_task_id" text,
	"vendor_video_url" text,
	"project_id" text,
	"reference_image_asset_id" text,
	"cost_credits" integer NOT NULL,
	"error_message" text,
	"refunded" boolean DEFAULT false NOT NULL,
	"video_id" text,
	"poll_errors" integer DEFAULT 0 NOT NULL,
	"next_poll_at" timestamp with time zone,
	"media_queued_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "video_assets" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_user_id" text NOT NULL,
	"task_id" text,
	"project_id" text,
	"prompt" text DEFAULT '' NOT NULL,
	"source_key" text NOT NULL,
	"play_key" text NOT NULL,
	"thumb_key" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"ratio" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"publish_status" text DEFAULT 'draft' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "video_downloads" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"video_id" text NOT NULL,
	"cost_credits" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "media_assets_owner_idx" ON "media_assets" USING btree ("owner_user_id","created_at");--> statement-breakpoint
CREATE INDEX "projects_owner_idx" ON "projects" USING btree ("owner_user_id","created_at");--> statement-breakpoint
CREATE INDEX "tasks_user_created_idx" ON "tasks" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_due_poll_idx" ON "tasks" USING btree ("status","next_poll_at");--> statement-breakpoint
CREATE UNIQUE INDEX "video_assets_task_uq" ON "video_assets" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "video_assets_owner_idx" ON "video_assets" USING btree ("owner_user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "video_assets_project_idx" ON "video_assets" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "video_downloads_user_video_idx" ON "video_downloads" USING btree ("user_id","video_id");