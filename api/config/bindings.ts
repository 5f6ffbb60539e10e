/** Worker bindings: vars from wrangler.toml, secrets from `wrangler secret put` / `.dev.vars`. */
export interface Bindings {
  ENVIRONMENT?: string;
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  TENANT_TOKEN_SECRET?: string;
  SETTINGS_ENCRYPTION_KEY?: string;
  OPERATOR_API_KEY?: string;
  ALLOWED_ORIGINS?: string;
  SYSTEM_FROM?: string;
  SYSTEM_SMTP_URL?: string;
  ALLOW_PRIVATE_HOSTS?: string;
  MAIL_SINK_URL?: string;
  OUTBOX_RETRY_DELAYS?: string;
  OUTBOX_LEASE_SECONDS?: string;
  /** The API's public origin: the OAuth redirect URI is `${PUBLIC_URL}/v1/oauth/callback`. */
  PUBLIC_URL?: string;
  OAUTH_MICROSOFT_CLIENT_ID?: string;
  OAUTH_MICROSOFT_CLIENT_SECRET?: string;
  OAUTH_MICROSOFT_AUTHORITY?: string;
  OAUTH_GOOGLE_CLIENT_ID?: string;
  OAUTH_GOOGLE_CLIENT_SECRET?: string;
  OAUTH_GOOGLE_AUTH_URL?: string;
  OAUTH_GOOGLE_TOKEN_URL?: string;
  OAUTH_GOOGLE_REVOKE_URL?: string;
  /** Comma-separated: more submission servers that may get a provider's access tokens, besides its own. */
  OAUTH_MICROSOFT_SMTP_HOSTS?: string;
  OAUTH_GOOGLE_SMTP_HOSTS?: string;
  /** RFC 8484 DNS-over-HTTPS endpoint (default Cloudflare's); https, or http only to this machine. */
  DNS_RESOLVER_URL?: string;
  /** Tests only (with ALLOW_PRIVATE_HOSTS=true): discovery's `host:port=host:port` pairs, comma-separated, like curl's --connect-to. */
  DISCOVER_CONNECT_TO?: string;
  /** Where the events go (Standard Webhooks); without it no events are stored. */
  WEBHOOK_URL?: string;
  /** `whsec_<base64>`: the key the events are signed with. */
  WEBHOOK_SECRET?: string;
  /** Seconds before each retry of an event, comma-separated (default about a day in all). */
  WEBHOOK_RETRY_DELAYS?: string;
  OUTBOX_QUEUE?: Queue<OutboxMessage>;
  /** The queue for servers that lately did not answer in time (api/outbox/slow-lane.ts). */
  OUTBOX_SLOW_QUEUE?: Queue<OutboxMessage>;
  /** Static assets: the widget bundle (and the demo page, served in development only). */
  ASSETS?: Fetcher;
  /** When set, a tenant token's `aud` must name it (a string, or an array holding it). */
  TENANT_TOKEN_AUDIENCE?: string;
  /** When set, a tenant token's `iss` must be it. */
  TENANT_TOKEN_ISSUER?: string;
  /** Seconds a tenant token may be valid for (`exp - iat`); default 3600. */
  TENANT_TOKEN_MAX_LIFETIME?: string;
  /** The system relay's sending address, or an SPF include that covers it, for the sender-domain check. */
  SYSTEM_SPF_IP?: string;
  SYSTEM_SPF_INCLUDE?: string;
}

/** What the outbox queue carries: a delivery's id and tenant, or an event's id; the rest is in the database. */
export type OutboxMessage = DeliveryMessage | WebhookMessage;

export interface DeliveryMessage {
  id: string;
  /** Absent in messages enqueued before tenants were kept apart (then the row says). */
  tenantId?: string;
}

/** An event for the webhook (api/outbox/webhooks-deliver.ts). */
export interface WebhookMessage {
  webhookId: string;
}
