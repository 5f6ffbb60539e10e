import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { AUTH_METHODS, SECURITIES } from '../../contract/values.ts';

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
  },
  (t) => [
    // Authentication without a stored password is never a valid state; the database refuses it
    // so a PUT that omits the password can be written in one statement without reading first.
    check(
      'mail_servers_credentials_check',
      sql`${t.authMethod} = 'none' OR (${t.username} IS NOT NULL AND ${t.passwordCiphertext} IS NOT NULL)`,
    ),
  ],
);

/** The authenticated tenant, taken from the token's claims (the host application owns these three). */
export type TenantIdentity = Pick<typeof tenants.$inferSelect, 'id' | 'email' | 'name'>;

/** A tenant's saved settings as stored (the password sealed). */
export type MailServerRow = typeof mailServers.$inferSelect;

/** Every send: tests and business documents, with their outcome. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['test', 'invoice', 'reminder', 'document'] }).notNull(),
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
  },
  (t) => [
    uniqueIndex('deliveries_tenant_idempotency_key_idx').on(t.tenantId, t.idempotencyKey),
    index('deliveries_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('deliveries_status_next_attempt_idx').on(t.status, t.nextAttemptAt),
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
  server?: { host: string; port: number; security: 'none' | 'starttls' | 'tls' };
}

export type DeliveryRow = typeof deliveries.$inferSelect;

export type NewDelivery = typeof deliveries.$inferInsert;
