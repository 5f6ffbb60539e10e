// The Worker's Hono app wired for Node: the full libSQL client (file: too), the in-process outbox,
// and Node's capabilities (certificate pinning, no blocked ports).

import type { ExecutionContext as HonoExecutionContext } from 'hono';
import { createApp } from '../app.ts';
import { nodeDatabases, type NodeDatabases } from '../db/client-node.ts';
import { defaultDeps, type DepsFactory } from '../wiring.ts';
import type { Bindings } from '../config/bindings.ts';
import type { Database } from '../db/database.ts';
import type { SmtpTimeouts } from '../smtp/types.ts';
import { NodeOutbox } from './outbox.ts';
import { waitAtMost } from '../util/wait-at-most.ts';

/** The binding names read from the process environment (the same names as the Worker's). */
/** Every string binding (not the Queue or the assets): the names a Node process reads from its environment. */
type StringBindingName = {
  [K in keyof Bindings]-?: NonNullable<Bindings[K]> extends string ? K : never;
}[keyof Bindings];

// A record, so that a binding added to Bindings and forgotten here fails to compile (it did: the sign-in vars).
const NODE_CONFIG: Record<StringBindingName, true> = {
  ENVIRONMENT: true,
  DATABASE_URL: true,
  DATABASE_AUTH_TOKEN: true,
  TENANT_TOKEN_SECRET: true,
  SETTINGS_ENCRYPTION_KEY: true,
  OPERATOR_API_KEY: true,
  ALLOWED_ORIGINS: true,
  SYSTEM_FROM: true,
  SYSTEM_SMTP_URL: true,
  ALLOW_PRIVATE_HOSTS: true,
  MAIL_SINK_URL: true,
  DNS_RESOLVER_URL: true,
  DISCOVER_CONNECT_TO: true,
  OUTBOX_RETRY_DELAYS: true,
  OUTBOX_LEASE_SECONDS: true,
  PUBLIC_URL: true,
  OAUTH_MICROSOFT_CLIENT_ID: true,
  OAUTH_MICROSOFT_CLIENT_SECRET: true,
  OAUTH_MICROSOFT_AUTHORITY: true,
  OAUTH_GOOGLE_CLIENT_ID: true,
  OAUTH_GOOGLE_CLIENT_SECRET: true,
  OAUTH_GOOGLE_AUTH_URL: true,
  OAUTH_GOOGLE_TOKEN_URL: true,
  OAUTH_GOOGLE_REVOKE_URL: true,
  OAUTH_MICROSOFT_SMTP_HOSTS: true,
  OAUTH_GOOGLE_SMTP_HOSTS: true,
  TENANT_TOKEN_AUDIENCE: true,
  TENANT_TOKEN_ISSUER: true,
  TENANT_TOKEN_MAX_LIFETIME: true,
  SYSTEM_SPF_IP: true,
  SYSTEM_SPF_INCLUDE: true,
  WEBHOOK_URL: true,
  WEBHOOK_SECRET: true,
  WEBHOOK_RETRY_DELAYS: true,
};

export const NODE_CONFIG_NAMES = Object.keys(NODE_CONFIG) as StringBindingName[];

/** Bindings from environment variables; empty values count as unset. ENVIRONMENT defaults to production. */
export function bindingsFromEnv(source: Record<string, string | undefined>): Bindings {
  const env: Bindings = { ENVIRONMENT: 'production' };
  for (const name of NODE_CONFIG_NAMES) {
    const value = source[name]?.trim();
    if (value) env[name] = value;
  }
  return env;
}

/** The Node wiring: like `defaultDeps('workers')`, with the Node database client and this outbox. */
export function nodeDeps(
  databases: NodeDatabases,
  outbox: Pick<NodeOutbox, 'enqueue' | 'handOverWebhooks'>,
): DepsFactory {
  return defaultDeps('node', {
    database: databases.get,
    enqueuer: () => outbox.enqueue,
    webhookHandOver: () => outbox.handOverWebhooks,
  });
}

export interface NodeServiceOptions {
  /** SMTP timeouts of outbox sends (tests shorten them). */
  timeouts?: Partial<SmtpTimeouts>;
  /** Per webhook attempt (tests shorten it). */
  webhookTimeoutMs?: number;
}

export interface NodeService {
  app: ReturnType<typeof createApp>;
  env: Bindings;
  outbox: NodeOutbox;
  /** The database of `env.DATABASE_URL` (the one the app uses). */
  db: () => Database;
  /** The app with these bindings and a `waitUntil`, for `@hono/node-server`'s `serve({ fetch })`. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** Stops the outbox, waits (bounded) for sends in flight and what responses left running, closes the database clients. */
  close: () => Promise<void>;
}

/** How long close() waits for work a response left running (one database write, retried once). */
const BACKGROUND_GRACE_MS = 20_000;

/** One app, one outbox and one database client per process, bound to `env`. */
export function createNodeService(env: Bindings, options: NodeServiceOptions = {}): NodeService {
  const databases = nodeDatabases();
  const database = (): Database => {
    if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
    return databases.get(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
  };
  const outbox = new NodeOutbox({
    env,
    db: database,
    timeouts: options.timeouts,
    webhookTimeoutMs: options.webhookTimeoutMs,
  });
  const app = createApp(nodeDeps(databases, outbox));
  // What a response leaves running (Workers' `waitUntil`: a test send's outcome is recorded after
  // the response), kept so that close() lets it finish before the database is closed.
  const background = new Set<Promise<unknown>>();
  const executionCtx: HonoExecutionContext = {
    waitUntil(task) {
      const tracked: Promise<unknown> = task.catch(() => undefined).finally(() => background.delete(tracked));
      background.add(tracked);
    },
    passThroughOnException() {},
    props: {},
  };
  return {
    app,
    env,
    outbox,
    db: database,
    fetch: (request) => app.fetch(request, env, executionCtx),
    close: async () => {
      await outbox.stop();
      await waitAtMost(Promise.allSettled([...background]), BACKGROUND_GRACE_MS);
      databases.close();
    },
  };
}
