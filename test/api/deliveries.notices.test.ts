// Being told: business mail that failed for good or went through the fallback brings the tenant
// one notice mail per cause and day (through the system relay, a real smtp-server here), and the
// API lists the problems until the tenant acknowledges them.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DeliveriesResponse, DeliveryProblems, ProblemsAcknowledged } from '../../contract/index.ts';
import { deliveries, mailServers } from '../../api/db/schema.ts';
import { tenantFollowUps } from '../../api/outbox/notices.ts';
import { sweepOutbox } from '../../api/outbox/sweeper.ts';
import type { DeliveryRef } from '../../api/outbox/enqueue.ts';
import { db, deliverWith, postMessage, settled, tenantWithServer } from './outbox-helpers.ts';
import { fixtures, marker, receivedMails } from './smtp-helpers.ts';

async function invoice(tenantId: string, tag: string) {
  const res = await postMessage(tenantId, {
    kind: 'invoice',
    to: ['kunde@kunde.example.com'],
    subject: `Rechnung ${tag}`,
    text: 'Anbei die Rechnung.',
  });
  const { id } = (await res.json()) as { id: string };
  return { id, status: await settled(tenantId, id) };
}

/** Sends what a sweep enqueued, but only this tenant's (other test files share the database). */
const sendFor = (tenantId: string) => async (due: DeliveryRef[]) => {
  const ids = due.filter((d) => d.tenantId === tenantId).map((d) => d.id);
  if (ids.length > 0) await deliverWith(ids, {});
};

const noticesTo = async (email: string) => (await receivedMails()).filter((m) => m.envelope.rcptTo.includes(email));

const noticeRows = (tenantId: string) =>
  db()
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenantId), eq(deliveries.kind, 'notice')));

describe('notice mail about failed and fallback deliveries', () => {
  it('one mail per tenant, cause and day, listing the mails; repeated sweeps send nothing twice', async () => {
    const { tenant, api } = await tenantWithServer('relayDenied', { fallbackToSystem: false });
    const [a, b] = [marker(), marker()];
    for (const tag of [a, b]) expect((await invoice(tenant.id, tag)).status.status).toBe('failed');

    await sweepOutbox(db(), new Date(), sendFor(tenant.id));
    await sweepOutbox(db(), new Date(), sendFor(tenant.id));
    const [notice, ...more] = await noticesTo(tenant.email);
    expect(more).toEqual([]);
    expect(notice!.server).toBe('plain');
    // Saved in German (the default): the notice is German only.
    expect(notice!.parsed.subject).toBe('Rechnungen und Belege konnten nicht versendet werden');
    for (const tag of [a, b]) expect(notice!.parsed.text).toContain(`Rechnung ${tag}`);

    // A third failure the same day waits for the next day's notice; the notice is not in the log.
    const c = marker();
    expect((await invoice(tenant.id, c)).status.status).toBe('failed');
    await sweepOutbox(db(), new Date(), sendFor(tenant.id));
    expect(await noticesTo(tenant.email)).toHaveLength(1);
    const log = (await (await api.get('/v1/deliveries')).json()) as DeliveriesResponse;
    expect(log.deliveries.map((d) => d.kind)).toEqual(['invoice', 'invoice', 'invoice']);

    const tomorrow = new Date(Date.now() + 24 * 60 * 60_000);
    await sendFor(tenant.id)(await tenantFollowUps(db(), tomorrow));
    await sendFor(tenant.id)(await tenantFollowUps(db(), tomorrow));
    const notices = await noticesTo(tenant.email);
    expect(notices).toHaveLength(2);
    expect(notices[1]!.parsed.text).toContain(`Rechnung ${c}`);
    expect(notices[1]!.parsed.text).not.toContain(`Rechnung ${a}`);
    expect(await noticeRows(tenant.id)).toHaveLength(2);
  });

  it('a fallback delivery is a cause of its own, told once', async () => {
    const { tenant } = await tenantWithServer('relayDenied', { fallbackToSystem: true });
    const tag = marker();
    expect((await invoice(tenant.id, tag)).status).toMatchObject({ status: 'sent', route: 'system-fallback' });
    await sweepOutbox(db(), new Date(), sendFor(tenant.id));
    await sweepOutbox(db(), new Date(), sendFor(tenant.id));
    const [notice, ...more] = await noticesTo(tenant.email);
    expect(more).toEqual([]);
    expect(notice!.parsed.subject).toContain('über den System-Mailserver versendet');
    expect(notice!.parsed.text).toContain(`Rechnung ${tag}`);
  });
});

describe('the notice mail’s language', () => {
  /** The tenant saves its (refusing) server with a request in `lang`. */
  async function savedIn(lang: string) {
    const { tenant, api } = await tenantWithServer();
    const f = fixtures();
    const body = {
      host: 'localhost',
      port: f.ports.relayDenied,
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
      fallbackToSystem: false,
    };
    const put = await api.put('/v1/mail-server', body, { headers: { 'accept-language': lang } });
    expect(put.status).toBe(200);
    return tenant;
  }

  async function noticeAbout(tenantId: string, email: string) {
    const tag = marker();
    expect((await invoice(tenantId, tag)).status.status).toBe('failed');
    await sweepOutbox(db(), new Date(), sendFor(tenantId));
    const [notice, ...more] = await noticesTo(email);
    expect(more).toEqual([]);
    expect(notice!.parsed.text).toContain(`Rechnung ${tag}`);
    return notice!.parsed;
  }

  it('is the language the settings were saved in, its footer naming the cause it counts per day', async () => {
    const tenant = await savedIn('en-GB,en;q=0.9');
    const notice = await noticeAbout(tenant.id, tenant.email);
    expect(notice.subject).toBe('Invoices and documents could not be sent');
    expect(notice.text).toContain('You get at most one such message a day about e-mails that could not be sent.');
    expect(notice.text).not.toContain('E-Mail');
  });

  it('settings saved before the language was stored keep the mail in German and English', async () => {
    const tenant = await savedIn('en');
    await db().update(mailServers).set({ lang: null }).where(eq(mailServers.tenantId, tenant.id));
    const notice = await noticeAbout(tenant.id, tenant.email);
    expect(notice.subject).toBe(
      'Rechnungen und Belege konnten nicht versendet werden / Invoices and documents could not be sent',
    );
    expect(notice.text).toContain('erhalten Sie höchstens eine solche Nachricht pro Tag.');
    expect(notice.text).toContain('You get at most one such message a day about e-mails that could not be sent.');
  });
});

describe('GET /v1/deliveries/problems and POST …/problems/acknowledge', () => {
  it('lists the tenant’s unacknowledged problems; acknowledging takes only the tenant’s own', async () => {
    const one = await tenantWithServer('relayDenied', { fallbackToSystem: false });
    const two = await tenantWithServer('relayDenied', { fallbackToSystem: true });
    const failed = await invoice(one.tenant.id, marker());
    const fellBack = await invoice(two.tenant.id, marker());
    const problems = async (api: typeof one.api) =>
      ((await (await api.get('/v1/deliveries/problems')).json()) as DeliveryProblems).problems.map((p) => p.id);
    expect(await problems(one.api)).toEqual([failed.id]);
    expect(await problems(two.api)).toEqual([fellBack.id]);

    const res = await one.api.post('/v1/deliveries/problems/acknowledge', { ids: [failed.id, fellBack.id] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ProblemsAcknowledged).acknowledged).toEqual([failed.id]);
    expect(await problems(one.api)).toEqual([]);
    expect(await problems(two.api)).toEqual([fellBack.id]);

    for (const body of [{}, { ids: [] }, { ids: 'x' }, { ids: [1] }])
      expect((await one.api.post('/v1/deliveries/problems/acknowledge', body)).status).toBe(422);
  });
});
