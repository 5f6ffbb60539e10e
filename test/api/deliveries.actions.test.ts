// "Retry now" and "Send via the system mail server" on the tenant's business mail: through the
// outbox, idempotent, audited, only the tenant's own rows, and never a resend of a message a
// server already accepted.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DeliveriesResponse, DeliverySummary } from '../../contract/index.ts';
import { deliveries } from '../../api/db/schema.ts';
import { clientFor } from './helpers.ts';
import {
  db,
  deliverWith,
  mailsArrived,
  mailsWith,
  postMessage,
  settled,
  storedDelivery,
  tenantWithServer,
} from './outbox-helpers.ts';
import { fixtures, marker } from './smtp-helpers.ts';

type Api = Awaited<ReturnType<typeof clientFor>>;

async function act(api: Api, id: string, action: 'retry' | 'send-via-system') {
  const res = await api.post(`/v1/deliveries/${id}/${action}`, undefined);
  return { status: res.status, body: (await res.json()) as Partial<DeliverySummary> & { code?: string } };
}

const row = async (id: string) => (await db().select().from(deliveries).where(eq(deliveries.id, id)))[0]!;

/** A mail the tenant's server put off (connection refused): `retrying`, next try in an hour. */
async function retryingMail(tag: string) {
  const { tenant, api } = await tenantWithServer('refused', { fallbackToSystem: false });
  const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}` });
  await deliverWith([id], { OUTBOX_RETRY_DELAYS: '3600' });
  expect((await row(id)).status).toBe('retrying');
  return { tenant, api, id };
}

/** Points the tenant's settings at a fixture that takes the mail. */
async function fixServer(api: Api, tenantId: string) {
  const f = fixtures();
  const put = await api.put('/v1/mail-server', {
    host: 'localhost',
    port: f.ports.starttls,
    security: 'starttls',
    auth: { method: 'plain', username: f.username, password: f.password },
    from: { address: `rechnung@${tenantId}.example.com` },
    fallbackToSystem: false,
  });
  expect(put.status, await put.clone().text()).toBe(200);
}

describe('POST /v1/deliveries/:id/retry', () => {
  it('a retrying mail goes out now through the outbox, once, audited; the log shows the next attempt before', async () => {
    const tag = marker();
    const { tenant, api, id } = await retryingMail(tag);
    const listed = (await (await api.get('/v1/deliveries?kind=business')).json()) as DeliveriesResponse;
    const before = listed.deliveries.find((d) => d.id === id)!;
    expect(Date.parse(before.nextAttemptAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);

    await fixServer(api, tenant.id);
    const first = await act(api, id, 'retry');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id, status: 'retrying' });
    expect((await settled(tenant.id, id)).status).toBe('sent');
    expect(await mailsArrived(tag, 1)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ action: 'retry', actionBy: tenant.email, actionAt: expect.any(Date) });

    // Once the server accepted it, another "Retry now" is refused and nothing goes out again.
    const again = await act(api, id, 'retry');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('delivery_already_sent');
    const sentRow = await row(id);
    expect(sentRow.attempts).toBe(2);
    expect(await mailsWith(tag)).toHaveLength(1);
  });

  it('repeated while still due, it is sent once; while it is being sent, it is a 409', async () => {
    const tag = marker();
    const { tenant, api, id } = await retryingMail(tag);
    await db().update(deliveries).set({ status: 'sending' }).where(eq(deliveries.id, id));
    const busy = await act(api, id, 'retry');
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('delivery_in_progress');
    await db().update(deliveries).set({ status: 'retrying' }).where(eq(deliveries.id, id));

    await fixServer(api, tenant.id);
    const results = await Promise.all([act(api, id, 'retry'), act(api, id, 'retry')]);
    for (const r of results) expect([202, 409]).toContain(r.status);
    expect((await settled(tenant.id, id)).status).toBe('sent');
    expect(await mailsArrived(tag, 1)).toHaveLength(1);
    expect((await row(id)).attempts).toBe(2);
  });

  it('another tenant’s id is a 404 and changes nothing; so is an unknown id or a test send', async () => {
    const { id } = await retryingMail(marker());
    const before = await row(id);
    const other = await clientFor();
    for (const action of ['retry', 'send-via-system'] as const) {
      const res = await act(other, id, action);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await act(other, 'no-such-id', 'retry')).status).toBe(404);
    expect(await row(id)).toEqual(before);

    const f = fixtures();
    const test = await other.post('/v1/mail-server/test', {
      host: f.host,
      port: f.ports.refused,
      security: 'none',
      auth: { method: 'none' },
    });
    expect(test.status).toBe(200);
    const list = (await (await other.get('/v1/deliveries?kind=test')).json()) as DeliveriesResponse;
    expect((await act(other, list.deliveries[0]!.id, 'retry')).status).toBe(404);
  });

  it('a failed mail the server may have (no verdict after the data) is never sent again', async () => {
    const { api, id } = await retryingMail(marker());
    await db()
      .update(deliveries)
      .set({ status: 'failed', error: { stage: 'data', code: 'delivery_unknown' } })
      .where(eq(deliveries.id, id));
    const res = await act(api, id, 'retry');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('delivery_not_resendable');
    expect((await row(id)).status).toBe('failed');
  });
});

describe('POST /v1/deliveries/:id/send-via-system', () => {
  it('a failed mail goes out through the system relay and ends with route system-fallback; once', async () => {
    const { tenant, api } = await tenantWithServer('relayDenied', { fallbackToSystem: false });
    const tag = marker();
    const res = await postMessage(tenant.id, {
      kind: 'invoice',
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${tag}`,
      text: 'Anbei die Rechnung.',
    });
    const { id } = (await res.json()) as { id: string };
    expect((await settled(tenant.id, id)).status).toBe('failed');

    const first = await act(api, id, 'send-via-system');
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const done = await settled(tenant.id, id);
    expect(done).toMatchObject({ status: 'sent', route: 'system-fallback' });
    expect(done.fallbackReason).toMatchObject({ stage: 'mail' });
    const [mail, ...more] = await mailsArrived(tag, 1);
    expect(more).toEqual([]);
    expect(mail!.server).toBe('plain');
    expect(await row(id)).toMatchObject({ action: 'send-via-system', actionBy: tenant.email });

    const again = await act(api, id, 'send-via-system');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('delivery_already_sent');
    expect(await mailsWith(tag)).toHaveLength(1);
  });
});
