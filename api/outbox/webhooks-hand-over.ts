// A save, a reset or a replay stores its event in the request; the request hands it to the outbox
// once its batch committed, so the event goes out right after the response instead of at the next
// sweep (which stays the safety net for a hand-over that is lost).

import type { Bindings } from '../config/bindings.ts';
import { configOf } from '../config/config.ts';
import { sendableWebhooks } from '../config/webhooks.ts';
import type { Database } from '../db/database.ts';
import { errorSummary } from '../util/error-summary.ts';
import { pendingWebhooksOf } from './webhooks-deliver.ts';

/** Sends the tenant's events not yet tried (null: those of no tenant) after the response; never waits, never throws. */
export type HandOverWebhooks = (tenantId: string | null) => void;

/** Workers: the events' ids go on the main outbox queue, as the consumer does after a batch; `defer` is the request's `waitUntil`. */
export function queueWebhookHandOver(
  env: Bindings,
  db: () => Database,
  defer: ((task: Promise<unknown>) => void) | undefined,
): HandOverWebhooks {
  return (tenantId) => {
    const queue = env.OUTBOX_QUEUE;
    if (!queue || !sendableWebhooks(configOf(env).webhooks)) return;
    const task = Promise.resolve()
      .then(() => pendingWebhooksOf(db(), tenantId))
      .then((ids) => (ids.length > 0 ? queue.sendBatch(ids.map((webhookId) => ({ body: { webhookId } }))) : undefined))
      .catch((error) =>
        console.error(`webhook hand-over failed, the sweeper sends the events: ${errorSummary(error)}`),
      );
    defer?.(task);
  };
}
