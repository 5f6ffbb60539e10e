-- Started sign-ins live ten minutes: the table is rebuilt instead of altered (a NOT NULL column
-- cannot be added to SQLite without a default), and a sign-in under way must be started again.
DROP TABLE `oauth_states`;--> statement-breakpoint
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
	`binding_hash` text NOT NULL,
	`claimed_at` integer,
	`completion_hash` text,
	`result_ciphertext` text,
	`result_iv` text,
	`result_key_id` text,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oauth_states_expires_idx` ON `oauth_states` (`expires_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `oauth_states_binding_idx` ON `oauth_states` (`binding_hash`);
