ALTER TABLE `deliveries` ADD `route_pinned` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `action` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `action_by` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `action_at` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `notice_id` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `acknowledged_at` integer;--> statement-breakpoint
CREATE INDEX `deliveries_tenant_kind_created_idx` ON `deliveries` (`tenant_id`,`kind`,`created_at`);