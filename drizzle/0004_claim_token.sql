ALTER TABLE `deliveries` ADD `claim_token` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `fallback_at_attempt` integer;