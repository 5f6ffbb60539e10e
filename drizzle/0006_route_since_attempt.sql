ALTER TABLE `deliveries` ADD `route_since_attempt` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Rows already on the fallback have been on the relay since the attempt it took over.
UPDATE `deliveries` SET `route_since_attempt` = `fallback_at_attempt` WHERE `route` = 'system-fallback' AND `fallback_at_attempt` IS NOT NULL;
