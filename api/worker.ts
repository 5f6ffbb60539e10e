import { createApp } from './app.ts';
import { defaultDeps } from './wiring.ts';
import type { Bindings, OutboxMessage } from './config/bindings.ts';
import { deliver } from './outbox/deliver.ts';
import { laneOfQueue, queueEnqueuer } from './outbox/enqueue.ts';
import { sweepOutbox } from './outbox/sweeper.ts';
import { errorSummary } from './util/error-summary.ts';

// Accepted deliveries go onto the Cloudflare Queue (Node schedules them in-process: api/node/).
const deps = defaultDeps('workers', { enqueuer: queueEnqueuer });
const app = createApp(deps);

export default {
  fetch: app.fetch,

  /** The outbox consumer of both queues: they carry delivery ids; the database has the messages. */
  async queue(batch: MessageBatch<OutboxMessage>, env: Bindings): Promise<void> {
    const { db, config, now, enqueue } = deps(env);
    try {
      await deliver(
        batch.messages.map((m) => m.body.id),
        // Without the slow queue's binding there are no lanes (a passed-on row would come back here).
        {
          db,
          config,
          runtime: 'workers',
          now,
          enqueue,
          lane: env.OUTBOX_SLOW_QUEUE ? laneOfQueue(batch.queue) : undefined,
        },
      );
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
    );
    if (result.failed + result.requeued > 0)
      console.log(`outbox sweep: ${result.requeued} re-enqueued, ${result.failed} ended as interrupted twice`);
  },
} satisfies ExportedHandler<Bindings, OutboxMessage>;
