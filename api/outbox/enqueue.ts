import type { Bindings } from '../config/bindings.ts';

/** A delivery for the outbox: its id, and its tenant, so batches keep tenants apart before a row is read. */
export interface DeliveryRef {
  id: string;
  tenantId: string;
}

/**
 * Workers' two queues: `slow` carries the mail of servers that lately did not answer in time, so
 * they never share a batch (and its consumer) with everybody else's (slow-lane.ts).
 */
export type Lane = 'main' | 'slow';

/** Hands a delivery to the outbox, optionally delayed: the Queue on Workers, a timer on Node (which has no lanes). */
export type Enqueue = (delivery: DeliveryRef, delaySeconds?: number, lane?: Lane) => Promise<void>;

/** Workers: puts a delivery on an outbox queue (Node schedules in-process instead, api/node/outbox.ts). */
export function queueEnqueuer(env: Bindings): Enqueue {
  return async ({ id, tenantId }, delaySeconds = 0, lane = 'main') => {
    // Without the slow queue's binding everything goes on the main one, as before there were two.
    const queue = (lane === 'slow' && env.OUTBOX_SLOW_QUEUE) || env.OUTBOX_QUEUE;
    if (!queue) throw new Error('OUTBOX_QUEUE binding is missing');
    await queue.send({ id, tenantId }, delaySeconds > 0 ? { delaySeconds } : undefined);
  };
}

/** Hands a stored webhook event to the outbox, optionally delayed (api/outbox/webhooks-deliver.ts). */
export type EnqueueWebhook = (webhookId: string, delaySeconds?: number) => Promise<void>;

/** Workers: events travel on the main outbox queue, beside the deliveries. */
export function queueWebhookEnqueuer(env: Bindings): EnqueueWebhook {
  return async (webhookId, delaySeconds = 0) => {
    if (!env.OUTBOX_QUEUE) throw new Error('OUTBOX_QUEUE binding is missing');
    await env.OUTBOX_QUEUE.send({ webhookId }, delaySeconds > 0 ? { delaySeconds } : undefined);
  };
}

/** The lane a Worker's queue batch came from: the slow queue's name ends in `-slow` (wrangler.toml). */
export const laneOfQueue = (queueName: string): Lane => (queueName.endsWith('-slow') ? 'slow' : 'main');
