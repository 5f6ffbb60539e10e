import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveries } from '../../api/db/schema.ts';
import {
  db,
  deliverWith,
  mailsWith,
  messageStatus,
  postMessage,
  settled,
  storedDelivery,
  tenantWithServer,
  unique,
} from './outbox-helpers.ts';
import { fixtures, marker } from './smtp-helpers.ts';

const invoice = (tag: string, to: string[]) => ({
  kind: 'invoice',
  to,
  subject: `Rechnung ${tag}`,
  text: 'Anbei die Rechnung.',
});

describe('recipients', () => {
  it('a recipient accepted once is not sent again on retry, also with an IDN domain in capitals', async () => {
    const { tenant } = await tenantWithServer('flaky');
    const tag = marker();
    const idn = 'Sofort@Müller-Kunde.Example';
    const later = `${unique('later')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, [idn, later]))).json()) as { id: string };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2, error: null });
    // Kept as the operator wrote them, although the server saw the A-label.
    expect(status.acceptedRecipients.sort()).toEqual([idn, later].sort());
    const envelopes = (await mailsWith(tag)).map((m) => m.envelope.rcptTo);
    // (smtp-server reports the domain decoded and lower-cased)
    expect(envelopes).toEqual([['Sofort@müller-kunde.example'], [later]]);
  });

  it('a recipient refused for good does not hold the others back: sent, with the refusal as its error', async () => {
    const { tenant } = await tenantWithServer('flaky', { fallbackToSystem: false });
    const tag = marker();
    const never = `${unique('never')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, ['kunde@kunde.example.com', never]))).json()) as {
      id: string;
    };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({
      status: 'sent',
      route: 'tenant',
      attempts: 1,
      acceptedRecipients: ['kunde@kunde.example.com'],
    });
    expect(status.error).toMatchObject({ stage: 'rcpt', code: 'recipients_refused', responseCode: 550 });
    expect(status.error!.message).toMatch(/refused for good/);
    expect(status.response).toMatch(/^250 /);
    expect(status.history).toHaveLength(1);
    const mails = await mailsWith(tag);
    expect(mails.map((m) => m.envelope.rcptTo)).toEqual([['kunde@kunde.example.com']]);
  });

  it('with fallback allowed, the system relay takes the recipients the tenant server refused for good', async () => {
    const { tenant } = await tenantWithServer('flaky', { fallbackToSystem: true });
    const tag = marker();
    const never = `${unique('never')}@kunde.example.com`;
    const { id } = (await (await postMessage(tenant.id, invoice(tag, ['kunde@kunde.example.com', never]))).json()) as {
      id: string;
    };
    const status = await settled(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 1, error: null });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', code: 'recipients_rejected' });
    expect(status.acceptedRecipients.sort()).toEqual(['kunde@kunde.example.com', never].sort());
    const mails = await mailsWith(tag);
    expect(mails.map((m) => [m.server, m.envelope.rcptTo])).toEqual([
      ['flaky', ['kunde@kunde.example.com']],
      ['plain', [never]],
    ]);
    expect(new Set(mails.map((m) => m.parsed.messageId))).toEqual(new Set([status.messageId]));
  });
});

describe('retry budgets', () => {
  it('the fallback relay gets retries of its own after the tenant route spent its budget', async () => {
    const { tenant } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    // The relay (the flaky fixture here) refuses "later…" once with 451.
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });

    await deliverWith([id], vars); // tenant 450: one retry left
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 1 });
    await deliverWith([id], vars); // tenant 450 again, budget spent: the relay answers 451
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 2,
    });
    await deliverWith([id], vars); // the relay's own retry
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system-fallback', attempts: 3, error: null });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', responseCode: 450 });
    expect(status.history.map((h) => [h.route, h.status])).toEqual([
      ['tenant', 'retrying'],
      ['tenant', 'failed'],
      ['system-fallback', 'retrying'],
      ['system-fallback', 'sent'],
    ]);
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });
});

describe('a route taken up mid-retry', () => {
  it('a reset moves a retrying message to the system relay with a retry budget of its own', async () => {
    const { tenant, api } = await tenantWithServer('rcptTemp');
    const tag = marker();
    // Two retries in all; the relay (the flaky fixture) refuses "later…" once with 451.
    const vars = { OUTBOX_RETRY_DELAYS: '0,0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // tenant 450
    await deliverWith([id], vars); // tenant 450: the tenant route's budget is spent with the next failure
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 2 });

    expect((await api.delete('/v1/mail-server')).status).toBe(204);
    await deliverWith([id], vars); // the relay's first attempt: 451, a retry of its own
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'system', attempts: 3 });
    await deliverWith([id], vars);
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'sent', route: 'system', attempts: 4, error: null, fallbackReason: null });
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });

  it('settings saved mid-retry move a message waiting on the system relay to the tenant’s server, with a budget of its own', async () => {
    const { tenant, api } = await tenantWithServer();
    const tag = marker();
    const f = fixtures();
    const vars = { OUTBOX_RETRY_DELAYS: '0,0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${f.ports.rcptTemp}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // relay 450
    await deliverWith([id], vars); // relay 450
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'system', attempts: 2 });

    const put = await api.put('/v1/mail-server', {
      host: 'localhost',
      port: f.ports.flaky, // refuses "later…" once with 451
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await deliverWith([id], vars);
    expect(await messageStatus(tenant.id, id)).toMatchObject({ status: 'retrying', route: 'tenant', attempts: 3 });
    await deliverWith([id], vars);
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'sent',
      route: 'tenant',
      attempts: 4,
      error: null,
    });
    expect((await mailsWith(tag)).map((m) => m.server)).toEqual(['flaky']);
  });
});

describe('a fallback recorded before route_since_attempt existed', () => {
  it('keeps the relay’s own budget: counted from fallback_at_attempt, not from the first attempt', async () => {
    const { tenant } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    // As an older Worker leaves it (deployed after the migration): on the relay since attempt 6, route_since_attempt 1.
    await db()
      .update(deliveries)
      .set({
        status: 'retrying',
        route: 'system-fallback',
        attempts: 6,
        fallbackAtAttempt: 6,
        routeSinceAttempt: 1,
        nextAttemptAt: new Date(),
      })
      .where(eq(deliveries.id, id));
    // The relay (flaky) refuses "later…" once with 451: the relay's second attempt, well within two retries.
    await deliverWith([id], {
      OUTBOX_RETRY_DELAYS: '0,0',
      SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}`,
    });
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 7,
    });
  });
});

describe('stored errors', () => {
  it('name the tenant’s server and port in the message shown, but never the system relay', async () => {
    const f = fixtures();
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${f.ports.refused}` };
    const own = await tenantWithServer('refused');
    const ownId = await storedDelivery(own.tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${marker()}`,
    });
    const relayed = await tenantWithServer();
    const relayedId = await storedDelivery(relayed.tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${marker()}`,
    });
    await deliverWith([ownId, relayedId], vars);

    const ownStatus = await messageStatus(own.tenant.id, ownId);
    expect(ownStatus).toMatchObject({ status: 'retrying', route: 'tenant', error: { stage: 'connect' } });
    expect(ownStatus.error!.message).toContain(`localhost`);
    expect(ownStatus.error!.message).toContain(String(f.ports.refused));
    expect(ownStatus.history[0]!.error!.message).toBe(ownStatus.error!.message);
    expect(ownStatus.error).not.toHaveProperty('server');

    const relayedStatus = await messageStatus(relayed.tenant.id, relayedId);
    expect(relayedStatus).toMatchObject({ status: 'retrying', route: 'system', error: { stage: 'connect' } });
    expect(relayedStatus.error!.message).not.toMatch(/127\.0\.0\.1|undefined|server server|localhost/i);
    expect(relayedStatus.error!.message).toMatch(/^(The server refused the connection|Could not connect)[ .]/);

    const list = await relayed.api.get('/v1/deliveries', { headers: { 'accept-language': 'de' } });
    const [row] = ((await list.json()) as { deliveries: { error: { message: string } }[] }).deliveries;
    expect(row!.error.message).toMatch(/^(Der Server hat die Verbindung abgelehnt|Keine Verbindung)[ .]/);
  });
});

describe('a fallback turned off', () => {
  it('stops a message waiting for its retry on the system relay: it ends failed, saying why, and the relay gets nothing', async () => {
    const { tenant, api } = await tenantWithServer('rcptTemp', { fallbackToSystem: true });
    const tag = marker();
    const vars = { OUTBOX_RETRY_DELAYS: '0', SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures().ports.flaky}` };
    const id = await storedDelivery(tenant.id, {
      to: [`${unique('later')}@kunde.example.com`],
      subject: `Rechnung ${tag}`,
    });
    await deliverWith([id], vars); // tenant 450: one retry left
    await deliverWith([id], vars); // tenant 450 again, budget spent: the relay answers 451
    expect(await messageStatus(tenant.id, id)).toMatchObject({
      status: 'retrying',
      route: 'system-fallback',
      attempts: 2,
    });

    const { settings } = (await (await api.get('/v1/mail-server')).json()) as {
      settings: { auth: { method: string; username: string } } & Record<string, unknown>;
    };
    const put = await api.put('/v1/mail-server', {
      ...settings,
      auth: { method: settings.auth.method, username: settings.auth.username },
      fallbackToSystem: false,
    });
    expect(put.status, await put.clone().text()).toBe(200);

    await deliverWith([id], vars); // the relay would take it now
    const status = await messageStatus(tenant.id, id);
    expect(status).toMatchObject({ status: 'failed', route: 'system-fallback', attempts: 3, sentAt: null });
    expect(status.error).toMatchObject({
      code: 'fallback_turned_off',
      message: expect.stringMatching(/fallback was turned off/),
    });
    expect(status.fallbackReason).toMatchObject({ stage: 'rcpt', responseCode: 450 });
    expect(await mailsWith(tag)).toEqual([]);
  });
});

describe('operator configuration', () => {
  it('an unusable system relay URL stops only the system route, and its invoices wait for the fix instead of failing', async () => {
    const broken = { SYSTEM_SMTP_URL: 'smtps://relay:p%zz@relay.example', OUTBOX_RETRY_DELAYS: '0,0,0' };
    const own = await tenantWithServer('starttls');
    const none = await tenantWithServer();
    const ownTag = marker();
    const noneTag = marker();
    const ownId = await storedDelivery(own.tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${ownTag}`,
    });
    const noneId = await storedDelivery(none.tenant.id, {
      to: [`kunde@${unique('k')}.example.com`],
      subject: `Rechnung ${noneTag}`,
    });
    await deliverWith([ownId, noneId], broken);

    expect((await messageStatus(own.tenant.id, ownId)).status).toBe('sent');
    expect(await mailsWith(ownTag)).toHaveLength(1);
    const waiting = await messageStatus(none.tenant.id, noneId);
    expect(waiting).toMatchObject({
      status: 'retrying',
      route: 'system',
      error: { code: 'system_relay_not_configured' },
    });

    // Mended within the retry budget: it goes out.
    await deliverWith([noneId], { OUTBOX_RETRY_DELAYS: '0,0,0' });
    expect((await messageStatus(none.tenant.id, noneId)).status).toBe('sent');
    expect(await mailsWith(noneTag)).toHaveLength(1);
  });
});
