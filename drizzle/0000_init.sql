CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`route` text,
	`recipients` text NOT NULL,
	`subject` text NOT NULL,
	`reference` text,
	`message_id` text,
	`smtp_response` text,
	`error` text,
	`fallback_reason` text,
	`accepted_recipients` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_until` integer,
	`idempotency_key` text,
	`request_hash` text,
	`payload` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_tenant_idempotency_key_idx` ON `deliveries` (`tenant_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `deliveries_tenant_created_idx` ON `deliveries` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deliveries_status_next_attempt_idx` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `mail_servers` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`security` text NOT NULL,
	`allow_untrusted_certificate` integer DEFAULT false NOT NULL,
	`tls_pin_sha256` text,
	`auth_method` text NOT NULL,
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
	CONSTRAINT "mail_servers_credentials_check" CHECK("mail_servers"."auth_method" = 'none' OR ("mail_servers"."username" IS NOT NULL AND "mail_servers"."password_ciphertext" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
