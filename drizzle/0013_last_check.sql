CREATE TABLE `mail_server_checks` (
	`tenant_id` text NOT NULL,
	`fingerprint` text NOT NULL,
	`kind` text NOT NULL,
	`ok` integer NOT NULL,
	`checked_at` integer NOT NULL,
	`error` text,
	PRIMARY KEY(`tenant_id`, `fingerprint`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `mail_servers` ADD `password_mac` text;--> statement-breakpoint
ALTER TABLE `mail_servers` ADD `lang` text;