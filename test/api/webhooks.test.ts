// Webhook events on Workers, end to end: invoices through the queue consumer (api/worker.ts) and
// the fixtures' SMTP servers, the events stored with their outcomes and delivered by the same
// consumer to the global setup's receiver, which checks every signature with the standardwebhooks
// verifier. Attempts that hang are tested on Node (the Worker waits 15 s for an answer).
import { describe, expect, inject, it } from 'vitest';
import type { WebhookDeliveriesResponse } from '../../contract/index.ts';
import type { ReceivedEvent } from '../support/webhook-receiver.ts';
import { call, clientFor, newTenant } from './helpers.ts';
import { operator, postMessage, tenantWithServer } from './outbox-helpers.ts';
import { marker } from './smtp-helpers.ts';
import { expireAccessToken, revokeAtProvider, signIn } from './oauth-helpers.ts';

const receiver = inject('webhookReceiver');

/** The tenant's events (of this type) once `count` of them arrived, in order of arrival. */
async function eventsOf(tenantId: string, type: string, count = 1): Promise<ReceivedEvent[]> {
  const query = new URLSearchParams({ tenantId, type, count: String(count) });
  const res = await fetch(`${receiver.controlUrl}/events?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReceivedEvent[];
}

/** How the receiver answers the tenant's next events (then it accepts). */
async function answerNext(tenantId: string, answers: ('fail' | 'accept')[]) {
  const res = await fetch(`${receiver.controlUrl}/answers/${encodeURIComponent(tenantId)}`, {
    method: 'PUT',
    body: JSON.stringify(answers),
  });
  expect(res.status).toBe(204);
}

async function sendInvoice(tenantId: string) {
  const reference = `RE-${marker()}`;
  const res = await postMessage(tenantId, {
    kind: 'invoice',
    to: ['kunde@kunde.example.com'],
    subject: `Rechnung ${reference}`,
    text: 'Anbei die Rechnung.',
    reference,
  });
  expect(res.status).toBe(202);
  return { id: ((await res.json()) as { id: string }).id, reference };
}

async function webhookLog(query: string): Promise<WebhookDeliveriesResponse> {
  const res = await call('GET', `/v1/webhook-deliveries?${query}`, { headers: operator() });
  expect(res.status).toBe(200);
  return (await res.json()) as WebhookDeliveriesResponse;
}

describe('webhook events on Workers', () => {
  it('message.sent with the 250 reply and the Message-ID arrives signed', async () => {
    const { tenant } = await tenantWithServer();
    const { id, reference } = await sendInvoice(tenant.id);
    const [sent, ...more] = await eventsOf(tenant.id, 'message.sent');
    expect(more).toEqual([]);
    expect(sent!.verified).toBe(true);
    expect(sent!.id).toMatch(/^msg_/);
    expect(sent!.body.data).toMatchObject({ tenantId: tenant.id, deliveryId: id, reference, route: 'system' });
    expect(String(sent!.body.data.smtpResponse)).toMatch(/^250/);
    expect(String(sent!.body.data.messageId)).toMatch(/^<.+@.+>$/);
    expect(JSON.stringify(sent!.body)).not.toContain('Anbei die Rechnung.');
  });

  it('message.failed with the reason when the tenant’s server refuses for good', async () => {
    const { tenant } = await tenantWithServer('rcptPerm', { fallbackToSystem: false });
    const { id } = await sendInvoice(tenant.id);
    const [failed] = await eventsOf(tenant.id, 'message.failed');
    expect(failed!.verified).toBe(true);
    expect(failed!.body.data).toMatchObject({
      deliveryId: id,
      status: 'failed',
      route: 'tenant',
      error: { responseCode: 550 },
    });
  });

  it('message.fallback when the system relay takes over, then message.sent over it', async () => {
    const { tenant } = await tenantWithServer('rcptPerm', { fallbackToSystem: true });
    const { id } = await sendInvoice(tenant.id);
    const [fallback] = await eventsOf(tenant.id, 'message.fallback');
    const [sent] = await eventsOf(tenant.id, 'message.sent');
    expect(fallback!.body.data).toMatchObject({
      deliveryId: id,
      route: 'system-fallback',
      fallbackReason: { responseCode: 550 },
    });
    expect(sent!.body.data).toMatchObject({ deliveryId: id, status: 'sent', route: 'system-fallback' });
    expect(fallback!.verified && sent!.verified).toBe(true);
    expect(fallback!.id).not.toBe(sent!.id);
  });

  it('a receiver that fails twice, then recovers, gets the same event with the same id: nothing lost', async () => {
    const { tenant } = await tenantWithServer();
    await answerNext(tenant.id, ['fail', 'fail']);
    await sendInvoice(tenant.id);
    const attempts = await eventsOf(tenant.id, 'message.sent', 3);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((e) => e.id)).size).toBe(1);
    expect(new Set(attempts.map((e) => JSON.stringify(e.body))).size).toBe(1);
    expect(attempts.every((e) => e.verified)).toBe(true);
    // The receiver answered the third attempt before the consumer recorded it.
    let logged: WebhookDeliveriesResponse['webhookDeliveries'][number] | undefined;
    while (logged?.status !== 'delivered') {
      logged = (await webhookLog('type=message.sent&limit=100')).webhookDeliveries.find(
        (d) => d.id === attempts[0]!.id,
      );
    }
    expect(logged).toMatchObject({ attempts: 3, lastResponseStatus: 204, lastError: null });
  });

  it('the operator’s log pages and filters; a replay sends the event again with its id and body', async () => {
    const { tenant } = await tenantWithServer();
    await sendInvoice(tenant.id);
    const [first] = await eventsOf(tenant.id, 'message.sent');
    const page = await webhookLog('type=message.sent&limit=1');
    expect(page.webhookDeliveries).toHaveLength(1);
    expect(page.webhookDeliveries[0]!.type).toBe('message.sent');
    expect(page.nextCursor).not.toBeNull();
    const next = await webhookLog(`type=message.sent&limit=1&cursor=${encodeURIComponent(page.nextCursor!)}`);
    expect(next.webhookDeliveries[0]!.id).not.toBe(page.webhookDeliveries[0]!.id);
    const bad = await call('GET', '/v1/webhook-deliveries?limit=0&cursor=nope&status=lost&type=message.lost', {
      headers: operator(),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'limit',
      'cursor',
      'status',
      'type',
    ]);
    expect((await call('GET', '/v1/webhook-deliveries', { headers: { authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
    const unknown = await call('POST', '/v1/webhook-deliveries/msg_unknown/replay', { headers: operator() });
    expect(unknown.status).toBe(404);

    const replayed = await call('POST', `/v1/webhook-deliveries/${first!.id}/replay`, { headers: operator() });
    expect(replayed.status).toBe(202);
    expect(await replayed.json()).toMatchObject({ id: first!.id, status: 'pending', attempts: 0 });
    // No sweep runs: the replay hands the event to the queue after its response.
    const [, again] = await eventsOf(tenant.id, 'message.sent', 2);
    expect(again!.id).toBe(first!.id);
    expect(again!.body).toEqual(first!.body);
    expect(again!.verified).toBe(true);
  });

  it('mail_server.changed on a save and on a reset arrives right after the response, without a sweep', async () => {
    const api = await clientFor(newTenant());
    const tenantId = api.tenant.id;
    const put = await api.put('/v1/mail-server', {
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      auth: { method: 'none' },
    });
    expect(put.status).toBe(200);
    const [saved] = await eventsOf(tenantId, 'mail_server.changed');
    expect(saved!.verified).toBe(true);
    expect(saved!.body.data).toMatchObject({ tenantId, change: 'saved', host: 'smtp.example.com', port: 587 });
    expect((await api.delete('/v1/mail-server')).status).toBe(204);
    const [, reset] = await eventsOf(tenantId, 'mail_server.changed', 2);
    expect(reset!.body.data).toEqual({ tenantId, change: 'reset' });
    expect(reset!.id).not.toBe(saved!.id);
  });

  it('mail_server.grant_expired from a test whose sign-in the provider refused arrives right after the response', async () => {
    const { tenant, api } = await tenantWithServer('xoauth2', {
      security: 'starttls',
      auth: { method: 'xoauth2', provider: 'microsoft' },
    });
    const account = `expired-${marker().slice(1)}@firma.example`;
    expect((await signIn(api, 'microsoft', { loginHint: account })).status).toBe(200);
    await revokeAtProvider('microsoft', account);
    await expireAccessToken(tenant.id, 'microsoft');
    const test = await api.post('/v1/mail-server/test');
    expect(await test.json()).toMatchObject({ ok: false, error: { code: 'oauth_grant_invalid' } });
    // No invoice (whose batch would send it) and no sweep: the test's request hands it over.
    const [expired] = await eventsOf(tenant.id, 'mail_server.grant_expired');
    expect(expired!.verified).toBe(true);
    expect(expired!.body.data).toEqual({ tenantId: tenant.id, provider: 'microsoft' });
  });
});
