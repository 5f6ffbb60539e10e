import type { Database } from '../env.ts';
import { dueDeliveryIds, failAbandonedTests, failTwiceInterrupted } from './store.ts';

/**
 * The scheduled safety net: ends rows whose resend was cut off too (a third copy is never risked)
 * and test sends whose result was never recorded, then re-enqueues lost enqueues, due retries and attempts cut off mid-send.
 */
export async function sweepOutbox(
  db: Database,
  now: Date,
  enqueueMany: (ids: string[]) => Promise<void>,
): Promise<{ failed: number; requeued: number }> {
  const failed = (await failTwiceInterrupted(db, now)) + (await failAbandonedTests(db, now));
  const ids = await dueDeliveryIds(db, now);
  if (ids.length > 0) await enqueueMany(ids);
  return { failed, requeued: ids.length };
}
