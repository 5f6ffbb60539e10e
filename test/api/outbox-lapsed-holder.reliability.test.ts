// A batch that died (or stalled) before handing a row to a server: the row is taken up once its
// holder missed a lease renewal, within a minute instead of after the whole lease, and sent once.
// A row already handed over keeps the whole lease, and a holder that wakes up late sends nothing.
import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { deliveries } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import type { Database } from '../../api/db/database.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { claimDeliveries, RENEWAL_GRACE_MS, renewEveryMs } from '../../api/outbox/leases.ts';
import { recordAndHandOver } from '../../api/outbox/record.ts';
import { dueDeliveries } from '../../api/outbox/sweeper.ts';
import worker from '../../api/worker.ts';
import { db, mailsWith, settled, storedDelivery, tenantWithServer } from './outbox-helpers.ts';
import { marker } from './smtp-helpers.ts';

const config = parseConfig(env as Bindings);
const LEASE = config.outbox.leaseMs;
/** Since the last renewal of a holder that has missed one, past the grace. */
const MISSED = renewEveryMs(LEASE) + RENEWAL_GRACE_MS + 1_000;
const ago = (ms: number) => new Date(Date.now() - ms);
const sweep = () => worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env);

async function invoice(tag: string) {
  const { tenant } = await tenantWithServer('starttls');
  const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}` });
  return { tenantId: tenant.id, id };
}

/** A database whose first batch (the tenant read after the claim) waits until `release()`. */
function pausedAtFirstBatch(real: Database) {
  let reached: () => void = () => {};
  const paused = new Promise<void>((resolve) => (reached = resolve));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let batches = 0;
  const pausedDb = new Proxy(real, {
    get(target, key, receiver) {
      if (key !== 'batch') return Reflect.get(target, key, receiver);
      return async (...args: unknown[]) => {
        if (batches++ === 0) {
          reached();
          await released;
        }
        return (target.batch as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    },
  });
  return { db: pausedDb, paused, release };
}

const deliverAt = (ids: string[], database: Database, offsetMs: number) =>
  deliver(ids, {
    db: database,
    config,
    runtime: 'workers',
    now: () => new Date(Date.now() + offsetMs),
    enqueue: async () => {},
  });

describe('a holder gone before the hand-over', () => {
  it('leaves its row to the next sweep once it missed a renewal: sent once, not counted as an attempt', async () => {
    const tag = marker();
    const { tenantId, id } = await invoice(tag);
    const alive = await invoice(marker());
    // Both claimed by batches that never handed them over; one renewed just now, one missed a renewal.
    expect(await claimDeliveries(db(), [id], ago(MISSED), LEASE, 'gone')).toHaveLength(1);
    expect(await claimDeliveries(db(), [alive.id], ago(renewEveryMs(LEASE)), LEASE, 'alive')).toHaveLength(1);
    const due = (await dueDeliveries(db(), new Date(), LEASE)).map((d) => d.id);
    expect(due).toContain(id);
    expect(due).not.toContain(alive.id);
    expect(await claimDeliveries(db(), [alive.id], new Date(), LEASE, 'other')).toHaveLength(0);

    await sweep();
    expect(await settled(tenantId, id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await mailsWith(tag)).map((m) => m.parsed.subject)).toEqual([`Rechnung ${tag}`]);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({ interruptions: 0 });
    await db().delete(deliveries).where(eq(deliveries.id, alive.id)); // no later sweep of another test sends it
  });

  it('a row handed over keeps the whole lease: it may have reached the server', async () => {
    const { id } = await invoice(marker());
    const claimedAt = ago(MISSED);
    expect(await claimDeliveries(db(), [id], claimedAt, LEASE, 'gone')).toHaveLength(1);
    const marked = await recordAndHandOver(db(), null, { id, messageId: '<x@example.com>' }, claimedAt, 'gone');
    expect(marked.handedOver).not.toBeNull();
    expect((await dueDeliveries(db(), new Date(), LEASE)).map((d) => d.id)).not.toContain(id);
    expect(await claimDeliveries(db(), [id], new Date(), LEASE, 'other')).toHaveLength(0);
    const leaseEnded = new Date(claimedAt.getTime() + LEASE + 1);
    expect(await claimDeliveries(db(), [id], leaseEnded, LEASE, 'other')).toMatchObject([{ interruptions: 1 }]);
  });

  it('a holder that wakes up after its row was taken over cannot hand it to a server', async () => {
    const tag = marker();
    const { tenantId, id } = await invoice(tag);
    const old = pausedAtFirstBatch(db());
    const oldRun = deliverAt([id], old.db, 0);
    await old.paused; // claimed, stalled before its hand-over (no renewal goes out meanwhile)
    // A consumer one missed renewal later takes the row over; it too pauses before its hand-over.
    const next = pausedAtFirstBatch(db());
    const nextRun = deliverAt([id], next.db, MISSED);
    expect(await Promise.race([next.paused.then(() => 'claimed'), nextRun.then(() => 'nothing claimed')])).toBe(
      'claimed',
    );
    old.release();
    await oldRun;
    expect(await mailsWith(tag)).toEqual([]); // its hand-over mark needed its token
    next.release();
    await nextRun;
    expect(await settled(tenantId, id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await mailsWith(tag)).toHaveLength(1);
  });
});
