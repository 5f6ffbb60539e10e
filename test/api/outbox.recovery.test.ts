import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { makeMessageId } from '../../api/smtp/message-id.ts';
import { insertDelivery } from '../../api/outbox/accept.ts';
import { DEFAULT_LEASE_MS } from '../../api/config/outbox-timing.ts';
import { dueDeliveries } from '../../api/outbox/sweeper.ts';
import worker from '../../api/worker.ts';
import { marker } from './smtp-helpers.ts';
import { mailsWith, messageStatus, settled, tenantWithServer } from './outbox-helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);

/**
 * A delivery as a process leaves it when it dies mid-attempt: `sending`, with a lease that ran
 * out; `handedOver` when it died while the message was with the server, not before.
 */
async function cutOffDelivery(tenantId: string, tag: string, interruptions = 0, handedOver = true) {
  const id = crypto.randomUUID();
  const past = new Date(Date.now() - 10 * 60_000);
  await insertDelivery(
    db(),
    {
      id,
      tenantId,
      kind: 'invoice',
      status: 'sending',
      recipients: { to: ['kunde@kunde.example.com'], cc: [], bcc: [] },
      subject: `Rechnung ${tag}`,
      messageId: makeMessageId(`rechnung@${tenantId}.example.com`),
      idempotencyKey: `cut-${tag}`,
      attempts: 1,
      interruptions,
      handedOver,
      leaseUntil: past,
      createdAt: past,
    },
    { text: 'Anbei die Rechnung.', attachments: [] },
  );
  return id;
}

const sweep = () => worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env);

describe('the sweeper', () => {
  it('completes an attempt that was cut off before the server accepted it, exactly once', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const id = await cutOffDelivery(tenant.id, tag);
    await sweep();
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2 });
    // The next sweep finds nothing of it to send again.
    expect((await dueDeliveries(db(), new Date(), DEFAULT_LEASE_MS)).map((d) => d.id)).not.toContain(id);
    const mails = await mailsWith(tag);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.messageId).toBe(status.messageId);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(row!.interruptions).toBe(1);
  });

  it('never risks a third copy: a resend that was cut off too ends failed as interrupted', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const id = await cutOffDelivery(tenant.id, tag, 1);
    // A row cut off once, swept together with it: once it arrived, the sweep's sends are done.
    const control = await cutOffDelivery(tenant.id, `${tag}-control`);
    await sweep();
    const status = await messageStatus(tenant.id, id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'interrupted' });
    expect(status.error!.hint).toBeTruthy();
    expect(await settled(tenant.id, control)).toMatchObject({ status: 'sent' });
    expect((await mailsWith(tag)).map((m) => m.parsed.subject)).toEqual([`Rechnung ${tag}-control`]);
  });

  it('does not count a cut-off batch against rows it never handed to a server: they are sent, however often that happens', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    // Claimed by a batch that died before its turn came (interrupted once before, in an earlier
    // attempt): that claim was no attempt, the one that sends it takes its count.
    const id = await cutOffDelivery(tenant.id, tag, 1, false);
    await sweep();
    expect(await settled(tenant.id, id)).toMatchObject({ status: 'sent', route: 'tenant', attempts: 1 });
    expect(await mailsWith(tag)).toHaveLength(1);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({ interruptions: 1, handedOver: true });
  });

  it('ends a row never sent a day after acceptance as interrupted, instead of taking it up forever', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const hours = (h: number) => new Date(Date.now() - h * 60 * 60_000);
    const stuck = await cutOffDelivery(tenant.id, tag, 0, false);
    await db()
      .update(deliveries)
      .set({ createdAt: hours(25) })
      .where(eq(deliveries.id, stuck));
    const control = await cutOffDelivery(tenant.id, `${tag}-control`, 0, false);
    await db()
      .update(deliveries)
      .set({ createdAt: hours(23) })
      .where(eq(deliveries.id, control));
    await sweep();
    expect(await messageStatus(tenant.id, stuck)).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
    expect(await settled(tenant.id, control)).toMatchObject({ status: 'sent' });
    expect((await mailsWith(tag)).map((m) => m.parsed.subject)).toEqual([`Rechnung ${tag}-control`]);
  });

  it('gives a row without Message-ID one before it is handed over, and keeps it', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const id = await cutOffDelivery(tenant.id, tag, 0, false);
    await db().update(deliveries).set({ messageId: null }).where(eq(deliveries.id, id));
    await sweep();
    const status = await settled(tenant.id, id);
    expect(status.status).toBe('sent');
    expect(status.messageId).toMatch(new RegExp(`^<[0-9a-f]{32}@${tenant.id}\\.example\\.com>$`));
    expect((await mailsWith(tag))[0]!.parsed.messageId).toBe(status.messageId);
  });

  it('ends a test send whose process died before recording it, and leaves running tests alone', async () => {
    const { tenant, api } = await tenantWithServer('starttls');
    const testRow = (id: string, ageMs: number) => ({
      id,
      tenantId: tenant.id,
      kind: 'test' as const,
      status: 'sending' as const,
      route: 'tenant' as const,
      recipients: { to: [tenant.email], cc: [], bcc: [] },
      subject: '',
      createdAt: new Date(Date.now() - ageMs),
    });
    const abandoned = crypto.randomUUID();
    const running = crypto.randomUUID();
    await db()
      .insert(deliveries)
      .values([testRow(abandoned, 3 * 60_000), testRow(running, 5_000)]);
    await sweep();
    const res = await api.get('/v1/deliveries?limit=10', { headers: { 'accept-language': 'en' } });
    const list = (
      (await res.json()) as {
        deliveries: { id: string; status: string; error: { code: string; message: string } | null }[];
      }
    ).deliveries;
    expect(list.find((d) => d.id === abandoned)).toMatchObject({
      status: 'failed',
      error: { code: 'test_interrupted', message: expect.stringMatching(/cut off/) },
    });
    expect(list.find((d) => d.id === running)).toMatchObject({ status: 'sending', error: null });
  });

  it('re-enqueues a message whose enqueue was lost', async () => {
    const { tenant } = await tenantWithServer();
    const tag = marker();
    const id = crypto.randomUUID();
    await insertDelivery(
      db(),
      {
        id,
        tenantId: tenant.id,
        kind: 'document',
        status: 'queued',
        recipients: { to: ['kunde@kunde.example.com'], cc: [], bcc: [] },
        subject: `Angebot ${tag}`,
        messageId: makeMessageId(tenant.email),
        idempotencyKey: `lost-${tag}`,
        createdAt: new Date(Date.now() - 60_000),
      },
      { html: '<p>Angebot</p>', attachments: [] },
    );
    await sweep();
    expect(await settled(tenant.id, id)).toMatchObject({ status: 'sent', route: 'system' });
    expect(await mailsWith(tag)).toHaveLength(1);
  });
});
