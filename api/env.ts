import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { Config } from './config.ts';
import type * as schema from './db/schema.ts';
import type { Lang } from './i18n/lang.ts';

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
  OUTBOX_QUEUE?: Queue<OutboxMessage>;
  /** Static assets: the widget bundle (and the demo page, served in development only). */
  ASSETS?: Fetcher;
}

/** What the outbox queue carries: only the delivery id; the message itself is in the database. */
export interface OutboxMessage {
  id: string;
}

export type Database = LibSQLDatabase<typeof schema>;

export type Runtime = 'workers' | 'node';

/** What the runtime can do; reported to the widget so it can disable what cannot work here. */
export interface Capabilities {
  runtime: Runtime;
  allowUntrustedCertificate: boolean;
  blockedPorts: number[];
}

/** The authenticated tenant, taken from the token's claims. */
export interface TenantIdentity {
  id: string;
  email: string;
  name: string;
}

/** Hands a delivery id to the outbox, optionally delayed: the Queue on Workers, a timer on Node. */
export type Enqueue = (id: string, delaySeconds?: number) => Promise<void>;

/** Per-request dependencies, built once from bindings so tests can substitute them. */
export interface Deps {
  db: Database;
  config: Config;
  capabilities: Capabilities;
  now: () => Date;
  enqueue: Enqueue;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    deps: Deps;
    lang: Lang;
    tenant: TenantIdentity;
  };
}
