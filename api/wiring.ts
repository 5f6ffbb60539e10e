import type { MiddlewareHandler } from 'hono';
import { type Config, configOf } from './config/config.ts';
import { OAUTH_PROVIDERS } from '../contract/values.ts';
import { getDatabase } from './db/client.ts';
import type { AppEnv, Deps } from './http/context.ts';
import type { Bindings } from './config/bindings.ts';
import type { Capabilities, Runtime } from '../contract/index.ts';
import type { Database } from './db/database.ts';
import { type Enqueue, queueEnqueuer } from './outbox/enqueue.ts';
import { ApiError } from './http/problem.ts';
import { type Defer, deferrerOf } from './http/defer.ts';
import { type HandOverWebhooks, queueWebhookHandOver } from './outbox/webhooks-hand-over.ts';

/** What each runtime can honour: Workers block port 25 and cannot skip certificate checks (docs/design.md). */
export function capabilitiesFor(runtime: Runtime, config: Pick<Config, 'oauth'>): Capabilities {
  const oauthProviders = OAUTH_PROVIDERS.filter((p) => config.oauth.providers[p]);
  return runtime === 'workers'
    ? { runtime, allowUntrustedCertificate: false, blockedPorts: [25], oauthProviders }
    : { runtime, allowUntrustedCertificate: true, blockedPorts: [], oauthProviders };
}

// One object per parsed configuration (Workers reuse the env object across an isolate's requests).
const capabilitiesCache = new WeakMap<Config, Capabilities>();

function capabilitiesOf(runtime: Runtime, config: Config): Capabilities {
  let capabilities = capabilitiesCache.get(config);
  if (!capabilities) capabilitiesCache.set(config, (capabilities = capabilitiesFor(runtime, config)));
  return capabilities;
}

/** `defer`: the request's `waitUntil`, where the runtime gives one (Workers). */
export type DepsFactory = (env: Bindings, defer?: Defer) => Deps;

export interface DepsOptions {
  /** Opens the database of DATABASE_URL; default: the web client (libSQL over HTTP), as in workerd. */
  database?: (url: string, authToken?: string) => Database;
  /** How an accepted delivery reaches the outbox; default: the OUTBOX_QUEUE binding (Workers). */
  enqueuer?: (env: Bindings) => Enqueue;
  /** How a request's stored events reach the outbox; default: the OUTBOX_QUEUE binding (Workers). */
  webhookHandOver?: (env: Bindings, db: () => Database, defer: Defer | undefined) => HandOverWebhooks;
}

/** The production wiring: the database from DATABASE_URL, the real clock, the runtime's outbox. */
export function defaultDeps(runtime: Runtime, options: DepsOptions = {}): DepsFactory {
  const openDatabase = options.database ?? getDatabase;
  const enqueuer = options.enqueuer ?? queueEnqueuer;
  const webhookHandOver = options.webhookHandOver ?? queueWebhookHandOver;
  return (env, defer) => {
    const config = configOf(env);
    const capabilities = capabilitiesOf(runtime, config);
    let db: Database | undefined;
    const deps: Deps = {
      get db() {
        if (!config.database) throw new ApiError(503, 'service_unavailable');
        return (db ??= openDatabase(config.database.url, config.database.authToken));
      },
      config,
      capabilities,
      now: () => new Date(),
      enqueue: enqueuer(env),
      handOverWebhooks: webhookHandOver(env, () => deps.db, defer),
    };
    return deps;
  };
}

export function depsMiddleware(factory: DepsFactory): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('deps', factory(c.env, deferrerOf(c)));
    await next();
  };
}
