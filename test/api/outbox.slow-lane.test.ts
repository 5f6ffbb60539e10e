// One tenant's server that answers too slowly (a tarpit: EHLO one byte at a time, forever) must not
// hold up other tenants' invoices. On Workers a queue batch is held by its slowest part, so the
// first stall ends the tenant's part of the batch and marks its server; its mail then goes on the
// slow queue and never shares a batch with the others' again until a save or a good slow batch.
import { eq } from 'drizzle-orm';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { mailServers } from '../../api/db/schema.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import type { DeliveryRef, Lane } from '../../api/outbox/enqueue.ts';
import { fixtures } from './smtp-helpers.ts';
import { db, mailsArrived, messageStatus, storedDelivery, tenantWithServer, unique } from './outbox-helpers.ts';

interface Enqueued extends DeliveryRef {
  lane: Lane | undefined;
}

/** One queue batch as the Worker's consumer runs it, with the enqueues it makes collected. */
async function batch(ids: string[], lane: Lane) {
  const enqueued: Enqueued[] = [];
  await deliver(ids, {
    db: db(),
    config: parseConfig(env as Bindings),
    runtime: 'workers',
    now: () => new Date(),
    lane,
    // The tarpit would hold each message for the default 30 s; the rule is the same at 1.5 s.
    timeouts: { totalMs: 1_500 },
    enqueue: async (delivery, _delay, to) => {
      enqueued.push({ id: delivery.id, tenantId: delivery.tenantId, lane: to });
    },
  });
  return enqueued;
}

const invoices = (tenantId: string, tag: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      storedDelivery(tenantId, { to: [`kunde${i}@kunde.example.com`], subject: `Rechnung ${i} ${tag}` }),
    ),
  );

const slowUntil = async (tenantId: string) =>
  (await db().select().from(mailServers).where(eq(mailServers.tenantId, tenantId)))[0]!.slowUntil;

describe('a tenant whose server does not answer in time', () => {
  it('ends its part of the batch at the first stall and then never shares a batch with other tenants', async () => {
    const tarpit = await tenantWithServer('drip', { security: 'none', auth: { method: 'none' } });
    const other = await tenantWithServer('plain', { security: 'none', auth: { method: 'none' } });
    const tag = unique('lane');

    // 1. Six invoices, four sessions: the first stall breaks the route, the last two are not tried.
    const first = await invoices(tarpit.tenant.id, tag, 6);
    const again = await batch(first, 'main');
    for (const id of first) {
      const status = await messageStatus(tarpit.tenant.id, id);
      expect(status).toMatchObject({ status: 'retrying', attempts: 1, error: { stage: 'ehlo' } });
    }
    expect(again.map((e) => e.lane)).toEqual(first.map(() => 'slow'));
    expect((await slowUntil(tarpit.tenant.id))!.getTime()).toBeGreaterThan(Date.now());

    // 2. A main-queue batch with both tenants: the other's 20 go out, the tarpit's are passed on unsent
    //    (given back as the rows a batch did not start are: untried, due now).
    const later = await invoices(tarpit.tenant.id, tag, 3);
    const others = await invoices(other.tenant.id, tag, 20);
    const passed = await batch([...later, ...others], 'main');
    expect(await mailsArrived(tag, 20)).toHaveLength(20);
    for (const id of others) expect((await messageStatus(other.tenant.id, id)).status).toBe('sent');
    for (const id of later)
      expect(await messageStatus(tarpit.tenant.id, id)).toMatchObject({ status: 'retrying', attempts: 0 });
    const byId = (a: Enqueued, b: Enqueued) => a.id.localeCompare(b.id);
    expect(passed.sort(byId)).toEqual(
      later.map((id): Enqueued => ({ id, tenantId: tarpit.tenant.id, lane: 'slow' })).sort(byId),
    );

    // 3. The slow queue does try them (and they stall again, keeping the mark).
    await batch(later, 'slow');
    for (const id of later)
      expect(await messageStatus(tarpit.tenant.id, id)).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(await slowUntil(tarpit.tenant.id)).not.toBeNull();

    // 4. New settings get a new chance on the main queue.
    const put = await tarpit.api.put('/v1/mail-server', {
      host: 'localhost',
      port: fixtures().ports.plain,
      security: 'none',
      auth: { method: 'none' },
    });
    expect(put.status).toBe(200);
    expect(await slowUntil(tarpit.tenant.id)).toBeNull();
  });

  it('leaves the slow queue when a slow batch gets through', async () => {
    const tenant = await tenantWithServer('plain', { security: 'none', auth: { method: 'none' } });
    const tag = unique('lane-back');
    await db()
      .update(mailServers)
      .set({ slowUntil: new Date(Date.now() + 60_000) })
      .where(eq(mailServers.tenantId, tenant.tenant.id));
    const ids = await invoices(tenant.tenant.id, tag, 2);
    await batch(ids, 'slow');
    for (const id of ids) expect((await messageStatus(tenant.tenant.id, id)).status).toBe('sent');
    expect(await slowUntil(tenant.tenant.id)).toBeNull();
  });
});
