-- Sign-in with Microsoft or Google: grants and started sign-ins; mail_servers gains the provider and a
-- credentials check that lets xoauth2 go without a password (SQLite changes a CHECK only by rebuilding the table).
CREATE TABLE `oauth_grants` (
	`tenant_id` text NOT NULL,
	`provider` text NOT NULL,
	`account` text NOT NULL,
	`refresh_ciphertext` text NOT NULL,
	`refresh_iv` text NOT NULL,
	`refresh_key_id` text NOT NULL,
	`access_ciphertext` text,
	`access_iv` text,
	`access_key_id` text,
	`access_expires_at` integer,
	`revision` integer DEFAULT 1 NOT NULL,
	`refresh_lock_token` text,
	`refresh_lock_until` integer,
	`invalid_at` integer,
	`connected_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `provider`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`provider` text NOT NULL,
	`origin` text NOT NULL,
	`return_to` text,
	`lang` text NOT NULL,
	`verifier_ciphertext` text NOT NULL,
	`verifier_iv` text NOT NULL,
	`verifier_key_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oauth_states_expires_idx` ON `oauth_states` (`expires_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_mail_servers` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`security` text NOT NULL,
	`allow_untrusted_certificate` integer DEFAULT false NOT NULL,
	`tls_pin_sha256` text,
	`auth_method` text NOT NULL,
	`oauth_provider` text,
	`username` text,
	`password_ciphertext` text,
	`password_iv` text,
	`password_key_id` text,
	`from_address` text,
	`from_name` text,
	`reply_to` text,
	`fallback_to_system` integer DEFAULT false NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "mail_servers_credentials_check" CHECK("auth_method" = 'none' OR ("auth_method" = 'xoauth2' AND "oauth_provider" IS NOT NULL) OR ("auth_method" <> 'xoauth2' AND "username" IS NOT NULL AND "password_ciphertext" IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `__new_mail_servers`("tenant_id", "host", "port", "security", "allow_untrusted_certificate", "tls_pin_sha256", "auth_method", "oauth_provider", "username", "password_ciphertext", "password_iv", "password_key_id", "from_address", "from_name", "reply_to", "fallback_to_system", "version", "updated_at", "updated_by") SELECT "tenant_id", "host", "port", "security", "allow_untrusted_certificate", "tls_pin_sha256", "auth_method", NULL, "username", "password_ciphertext", "password_iv", "password_key_id", "from_address", "from_name", "reply_to", "fallback_to_system", "version", "updated_at", "updated_by" FROM `mail_servers`;--> statement-breakpoint
DROP TABLE `mail_servers`;--> statement-breakpoint
ALTER TABLE `__new_mail_servers` RENAME TO `mail_servers`;--> statement-breakpoint
PRAGMA foreign_keys=ON;