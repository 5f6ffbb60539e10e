import type { Capabilities } from '../../contract/index.ts';
import type { Bindings } from '../config/bindings.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { TenantIdentity } from '../db/schema.ts';
import type { Lang } from '../i18n/lang.ts';
import type { Enqueue } from '../outbox/enqueue.ts';
import type { HandOverWebhooks } from '../outbox/webhooks-hand-over.ts';

/** Per-request dependencies, built once from bindings so tests can substitute them. */
export interface Deps {
  db: Database;
  config: Config;
  capabilities: Capabilities;
  now: () => Date;
  enqueue: Enqueue;
  /** After a request stored events (save, reset, replay): send them right after the response. */
  handOverWebhooks: HandOverWebhooks;
}

/** What a request carries through the Hono app: bindings, deps, the reader's language, the tenant. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    deps: Deps;
    lang: Lang;
    tenant: TenantIdentity;
  };
}
