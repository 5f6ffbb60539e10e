import { createApp } from './app.ts';
import { defaultDeps } from './wiring.ts';
import type { Bindings, OutboxMessage } from './config/bindings.ts';
import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { deliver } from './outbox/deliver.ts';
import { laneOfQueue, queueEnqueuer, queueWebhookEnqueuer } from './outbox/enqueue.ts';
import { sweepOutbox } from './outbox/sweeper.ts';
import { deliverWebhooks, dueWebhooks } from './outbox/webhooks-deliver.ts';
import { sendableWebhooks } from './config/webhooks.ts';
import { errorSummary } from './util/error-summary.ts';

// Accepted deliveries go onto the Cloudflare Queue (Node schedules them in-process: api/node/).
const deps = defaultDeps('workers', { enqueuer: queueEnqueuer });
const app = createApp(deps);

/** Puts the webhook events due now on the queue: after each batch (its outcomes' events) and from the cron. */
async function enqueueDueWebhooks(db: Database, config: Config, env: Bindings, now: Date): Promise<number> {
  if (!sendableWebhooks(config.webhooks) || !env.OUTBOX_QUEUE) return 0;
  const ids = await dueWebhooks(db, now);
  for (let i = 0; i < ids.length; i += 100)
    await env.OUTBOX_QUEUE.sendBatch(ids.slice(i, i + 100).map((webhookId) => ({ body: { webhookId } })));
  return ids.length;
}

export default {
  fetch: app.fetch,

  /** The outbox consumer of both queues: they carry delivery and event ids; the database has the rest. */
  async queue(batch: MessageBatch<OutboxMessage>, env: Bindings): Promise<void> {
    const { db, config, now, enqueue } = deps(env);
    const bodies = batch.messages.map((m) => m.body);
    const webhookIds = bodies.flatMap((b) => ('webhookId' in b ? [b.webhookId] : []));
    const deliveryIds = bodies.flatMap((b) => ('id' in b ? [b.id] : []));
    const webhooks = sendableWebhooks(config.webhooks);
    try {
      if (deliveryIds.length > 0) {
        await deliver(deliveryIds, {
          db,
          config,
          runtime: 'workers',
          now,
          enqueue,
          // Without the slow queue's binding there are no lanes (a passed-on row would come back here).
          lane: env.OUTBOX_SLOW_QUEUE ? laneOfQueue(batch.queue) : undefined,
        });
        await enqueueDueWebhooks(db, config, env, now());
      }
      if (webhookIds.length > 0 && webhooks)
        await deliverWebhooks(webhookIds, { db, webhooks, now, enqueue: queueWebhookEnqueuer(env) });
      batch.ackAll();
    } catch (error) {
      // Database unreachable or similar: let the queue deliver the batch again later.
      console.error(`outbox batch failed, will be retried: ${errorSummary(error)}`);
      batch.retryAll({ delaySeconds: 10 });
    }
  },

  /** Cron: re-enqueue what was lost, is due or was cut off. */
  async scheduled(_controller: ScheduledController, env: Bindings): Promise<void> {
    const { db, config, now } = deps(env);
    const queue = env.OUTBOX_QUEUE;
    if (!queue) throw new Error('OUTBOX_QUEUE binding is missing');
    const result = await sweepOutbox(
      db,
      now(),
      async (due) => {
        for (let i = 0; i < due.length; i += 100)
          await queue.sendBatch(due.slice(i, i + 100).map((body) => ({ body })));
      },
      config.outbox.leaseMs,
      config.webhooks,
    );
    if (result.failed + result.requeued > 0)
      console.log(`outbox sweep: ${result.requeued} re-enqueued, ${result.failed} ended as interrupted twice`);
    const events = await enqueueDueWebhooks(db, config, env, now());
    if (events > 0) console.log(`outbox sweep: ${events} webhook events enqueued`);
  },
} satisfies ExportedHandler<Bindings, OutboxMessage>;
