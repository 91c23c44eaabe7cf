CREATE TABLE "vendor_health" (
	"vendor" text PRIMARY KEY NOT NULL,
	"down" boolean NOT NULL,
	"reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "submit_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "allow_failover" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "vendor_cost_milli" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "sent_image" jsonb;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "resolution" text;