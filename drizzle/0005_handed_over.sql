ALTER TABLE `deliveries` ADD `handed_over` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Attempts in flight during the upgrade may have reached a server: they count as handed over (as before).
UPDATE `deliveries` SET `handed_over` = true WHERE `status` = 'sending';
