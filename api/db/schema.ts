import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { AUTH_METHODS, OAUTH_PROVIDERS, SECURITIES } from '../../contract/values.ts';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../contract/index.ts';

const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** The host application's tenants ("Mandanten"), upserted from token claims or the operator API. */
export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** A tenant's own outgoing SMTP server; no row means the system relay is used. */
export const mailServers = sqliteTable(
  'mail_servers',
  {
    tenantId: text('tenant_id')
      .primaryKey()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    security: text('security', { enum: SECURITIES }).notNull(),
    /** Node runtime only: trust the certificate seen at the first successful connection (pinned below). */
    allowUntrustedCertificate: integer('allow_untrusted_certificate', { mode: 'boolean' }).notNull().default(false),
    tlsPinSha256: text('tls_pin_sha256'),
    authMethod: text('auth_method', { enum: AUTH_METHODS }).notNull(),
    /** With `xoauth2`: whose sign-in (oauth_grants) the access token comes from. */
    oauthProvider: text('oauth_provider', { enum: OAUTH_PROVIDERS }),
    /** With `xoauth2` it may be null: the signed-in account is the mailbox. */
    username: text('username'),
    passwordCiphertext: text('password_ciphertext'),
    passwordIv: text('password_iv'),
    passwordKeyId: text('password_key_id'),
    fromAddress: text('from_address'),
    fromName: text('from_name'),
    replyTo: text('reply_to'),
    fallbackToSystem: integer('fallback_to_system', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    updatedBy: text('updated_by'),
    /** Till then the Worker sends this server's mail on the slow queue (it did not answer in time); a save clears it. */
    slowUntil: timestamp('slow_until'),
    // Issue #19, the last check and the tenant's language (migration 0013).
    /** HMAC-SHA256 of the password (key derived from SETTINGS_ENCRYPTION_KEY): part of what a check of these settings matches. */
    passwordMac: text('password_mac'),
    /** The language of the request that saved the settings: the notice mail's (null: saved before, both languages). */
    lang: text('lang', { enum: ['de', 'en'] }),
  },
  (t) => [
    // Password authentication without a stored password is never a valid state; the database refuses
    // it so a PUT that omits the password can be written in one statement without reading first.
    // Sign-in needs its provider (the grant itself may come before or after the save).
    check(
      'mail_servers_credentials_check',
      sql`${t.authMethod} = 'none' OR (${t.authMethod} = 'xoauth2' AND ${t.oauthProvider} IS NOT NULL) OR (${t.authMethod} <> 'xoauth2' AND ${t.username} IS NOT NULL AND ${t.passwordCiphertext} IS NOT NULL)`,
    ),
  ],
);

/**
 * A tenant's sign-in with an identity provider: the refresh token (and the current access token),
 * sealed like passwords. One per tenant and provider; kept apart from the settings so either can
 * come first.
 */
export const oauthGrants = sqliteTable(
  'oauth_grants',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: OAUTH_PROVIDERS }).notNull(),
    /** The signed-in account as the ID token names it. */
    account: text('account').notNull(),
    refreshCiphertext: text('refresh_ciphertext').notNull(),
    refreshIv: text('refresh_iv').notNull(),
    refreshKeyId: text('refresh_key_id').notNull(),
    accessCiphertext: text('access_ciphertext'),
    accessIv: text('access_iv'),
    accessKeyId: text('access_key_id'),
    accessExpiresAt: timestamp('access_expires_at'),
    /** Grows with every stored token change: a refresh writes only over the revision it started from. */
    revision: integer('revision').notNull().default(1),
    /** The refresh in flight (any isolate or process): others wait for its result instead of refreshing too. */
    refreshLockToken: text('refresh_lock_token'),
    refreshLockUntil: timestamp('refresh_lock_until'),
    /** The provider answered `invalid_grant`: nothing is sent with it until the tenant signs in again. */
    invalidAt: timestamp('invalid_at'),
    connectedAt: timestamp('connected_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.provider], name: 'oauth_grants_pk' })],
);

/**
 * A started sign-in: single use, ten minutes, bound to tenant, provider and the origin that started
 * it. Stored by the state's SHA-256 (the state itself travels only in URLs); the PKCE verifier sealed.
 */
export const oauthStates = sqliteTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: OAUTH_PROVIDERS }).notNull(),
    origin: text('origin').notNull(),
    /** Redirect mode: where the browser goes back to; null: the popup posts to `origin`. */
    returnTo: text('return_to'),
    lang: text('lang').notNull(),
    verifierCiphertext: text('verifier_ciphertext').notNull(),
    verifierIv: text('verifier_iv').notNull(),
    verifierKeyId: text('verifier_key_id').notNull(),
    /** SHA-256 of the binding the starting page holds: only it can complete the sign-in. */
    bindingHash: text('binding_hash').notNull(),
    /** Set when the provider's redirect arrived: the state is then spent. */
    claimedAt: timestamp('claimed_at'),
    /** SHA-256 of the completion code the callback handed to the starting page. */
    completionHash: text('completion_hash'),
    /** The signed-in account's tokens, sealed, until the starting page completes. */
    resultCiphertext: text('result_ciphertext'),
    resultIv: text('result_iv'),
    resultKeyId: text('result_key_id'),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt), uniqueIndex('oauth_states_binding_idx').on(t.bindingHash)],
);

/**
 * Issue #19: the latest verify or test of one set of settings (by its fingerprint, see
 * features/mail-server/last-check.ts), whether saved or a draft: a draft's check counts once the
 * same settings are saved. A few per tenant are kept; a reset deletes them.
 */
export const mailServerChecks = sqliteTable(
  'mail_server_checks',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    kind: text('kind', { enum: ['verify', 'test'] }).notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    checkedAt: timestamp('checked_at').notNull(),
    error: text('error', { mode: 'json' }).$type<DeliveryError>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.fingerprint], name: 'mail_server_checks_pk' })],
);

export type MailServerCheckRow = typeof mailServerChecks.$inferSelect;

export type OAuthGrantRow = typeof oauthGrants.$inferSelect;
export type OAuthStateRow = typeof oauthStates.$inferSelect;

/** The authenticated tenant, taken from the token's claims (the host application owns these three). */
export type TenantIdentity = Pick<typeof tenants.$inferSelect, 'id' | 'email' | 'name'>;

/** A tenant's saved settings as stored (the password sealed). */
export type MailServerRow = typeof mailServers.$inferSelect;

/** What a delivery is: a test, a business mail, or a notice to the tenant about its own mail (#19). */
export const DELIVERY_KINDS = ['test', 'invoice', 'reminder', 'document', 'notice'] as const;

/** Every send: tests and business documents, with their outcome. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: DELIVERY_KINDS }).notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'retrying', 'failed'] }).notNull(),
    route: text('route', { enum: ['tenant', 'system', 'system-fallback'] }),
    recipients: text('recipients', { mode: 'json' }).$type<{ to: string[]; cc: string[]; bcc: string[] }>().notNull(),
    subject: text('subject').notNull(),
    reference: text('reference'),
    messageId: text('message_id'),
    smtpResponse: text('smtp_response'),
    error: text('error', { mode: 'json' }).$type<DeliveryError>(),
    /** The tenant route's error when the system relay took over. */
    fallbackReason: text('fallback_reason', { mode: 'json' }).$type<DeliveryError>(),
    /** Recipients the server already accepted, so a retry does not send them again. */
    acceptedRecipients: text('accepted_recipients', { mode: 'json' }).$type<string[]>(),
    attempts: integer('attempts').notNull().default(0),
    /** One entry per ended attempt: when, which route, and the server's reply or the error. */
    attemptLog: text('attempt_log', { mode: 'json' }).$type<AttemptLogEntry[]>(),
    nextAttemptAt: timestamp('next_attempt_at'),
    leaseUntil: timestamp('lease_until'),
    /** How often an attempt was found cut off mid-send (process died); bounds resends to one. */
    interruptions: integer('interruptions').notNull().default(0),
    /**
     * Set just before this attempt hands the message to a server (reset by each claim). An attempt
     * found cut off counts as an interruption only when it had: a row that was claimed in a batch
     * but never reached a server cannot have been sent, however often its batch is cut off.
     */
    handedOver: integer('handed_over', { mode: 'boolean' }).notNull().default(false),
    /** The attempt that holds the row while `sending`: only its holder may extend the lease or record the outcome. */
    claimToken: text('claim_token'),
    /** The attempt number in which the system relay took over as the fallback. */
    fallbackAtAttempt: integer('fallback_at_attempt'),
    /**
     * The attempt from which the row has been on its current route: each route has the whole retry
     * budget from there (a fallback moves a row to the relay, a reset mid-retry too, new settings
     * move it to the tenant's server).
     */
    routeSinceAttempt: integer('route_since_attempt').notNull().default(1),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    createdAt: timestamp('created_at').notNull(),
    sentAt: timestamp('sent_at'),
    // Issue #19, the tenant's actions and being told (migration 0012).
    /** The route was chosen for the row (send-via-system, a notice): the outbox takes it as it is. */
    routePinned: integer('route_pinned', { mode: 'boolean' }).notNull().default(false),
    /** The tenant's last action on the row, and who took it when (the audit). */
    action: text('action', { enum: ['retry', 'send-via-system'] }),
    actionBy: text('action_by'),
    actionAt: timestamp('action_at'),
    /** The notice mail that told the tenant about this row's problem (null: not told yet). */
    noticeId: text('notice_id'),
    /** When the tenant dismissed this row's problem in the widget. */
    acknowledgedAt: timestamp('acknowledged_at'),
  },
  (t) => [
    uniqueIndex('deliveries_tenant_idempotency_key_idx').on(t.tenantId, t.idempotencyKey),
    index('deliveries_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('deliveries_status_next_attempt_idx').on(t.status, t.nextAttemptAt),
    index('deliveries_tenant_kind_created_idx').on(t.tenantId, t.kind, t.createdAt),
  ],
);

/**
 * The body and attachments of an accepted message, as JSON split into chunks (libSQL refuses
 * single values of several MiB); written with the delivery in one batch, deleted once it ended.
 */
export const deliveryPayloadChunks = sqliteTable(
  'delivery_payload_chunks',
  {
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    chunk: text('chunk').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.seq], name: 'delivery_payload_chunks_pk' })],
);

export interface AttemptLogEntry {
  at: string;
  route: 'tenant' | 'system' | 'system-fallback';
  status: 'sent' | 'retrying' | 'failed';
  response: string | null;
  error: DeliveryError | null;
}

export interface DeliveryError {
  stage: string;
  code: string;
  responseCode?: number | null;
  response?: string | null;
  /** The tenant's server the attempt went to, for the message shown with the error (none for the system relay). */
  server?: {
    host: string;
    port: number;
    security: 'none' | 'starttls' | 'tls';
    /** How the attempt logged in (the hints differ for a sign-in). */
    authMethod?: (typeof AUTH_METHODS)[number];
    oauthProvider?: (typeof OAUTH_PROVIDERS)[number] | null;
  };
}

export type DeliveryRow = typeof deliveries.$inferSelect;

export type NewDelivery = typeof deliveries.$inferInsert;

/**
 * The events for the operator's webhook (Standard Webhooks): each stored in the same batch as the
 * change it reports, then delivered at least once with its id as `webhook-id`. `payload` is the
 * exact body that is signed and sent, so every retry and replay carries the same bytes.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: WEBHOOK_EVENT_TYPES }).notNull(),
    tenantId: text('tenant_id'),
    payload: text('payload').notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at'),
    leaseUntil: timestamp('lease_until'),
    claimToken: text('claim_token'),
    /** The receiver's HTTP status of the last attempt (null: no answer). */
    lastResponseStatus: integer('last_response_status'),
    /** Why the last attempt failed, when the receiver gave no status (timeout, connection). */
    lastError: text('last_error'),
    createdAt: timestamp('created_at').notNull(),
    deliveredAt: timestamp('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_status_next_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_created_idx').on(t.createdAt, t.id),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
