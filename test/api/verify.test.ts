import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { VerifyResult } from '../../contract/index.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { clientFor } from './helpers.ts';
import { fixtures, leakForms, receivedMails, starttlsDraftFor as draftFor } from './smtp-helpers.ts';

type Fixture = 'starttls' | 'relayDenied' | 'rcptPerm' | 'rcptTemp';

const db = () => getDatabase((env as { DATABASE_URL: string }).DATABASE_URL);

async function settledRow(tenantId: string) {
  return vi.waitFor(
    async () => {
      const rows = await db().select().from(deliveries).where(eq(deliveries.tenantId, tenantId));
      if (rows.length !== 1 || rows[0]!.status === 'sending') throw new Error('the verify row is not ended yet');
      return rows[0]!;
    },
    { timeout: 2_000, interval: 10 },
  );
}

async function verify(name: Fixture, lang = 'de') {
  const api = await clientFor();
  const res = await api.post('/v1/mail-server/verify', draftFor(name), { headers: { 'accept-language': lang } });
  expect(res.status).toBe(200);
  return { api, body: (await res.json()) as VerifyResult };
}

const commands = (body: VerifyResult) => body.transcript.filter((l) => l.dir === 'c').map((l) => l.line);

describe('POST /v1/mail-server/verify', () => {
  it('goes up to RCPT TO the tenant’s own address, then RSET and QUIT: no DATA, no mail, nothing saved', async () => {
    const { api, body } = await verify('starttls');
    expect(body.ok, JSON.stringify(body)).toBe(true);
    if (!body.ok) return;
    expect(body).not.toHaveProperty('messageId');
    expect(body.response).toMatch(/^250\b/);
    const sent = commands(body);
    expect(sent).toContain('MAIL FROM:<rechnung@firma.example>');
    expect(sent).toContain(`RCPT TO:<${api.tenant.email}>`);
    expect(sent).toContain('RSET');
    expect(sent.some((line) => line.startsWith('DATA'))).toBe(false);
    expect(sent.indexOf('RSET')).toBeGreaterThan(sent.indexOf(`RCPT TO:<${api.tenant.email}>`));
    const text = JSON.stringify(body.transcript);
    for (const form of leakForms(fixtures().password, fixtures().username)) expect(text).not.toContain(form);
    expect((await receivedMails()).filter((m) => m.envelope.rcptTo.includes(api.tenant.email))).toEqual([]);

    const row = await settledRow(api.tenant.id);
    expect(row).toMatchObject({ kind: 'test', status: 'sent', messageId: null });
    expect(row.subject).toContain('es wurde keine E-Mail gesendet');
    expect((await (await api.get('/v1/mail-server')).json()) as { configured: boolean }).toMatchObject({
      configured: false,
    });
  });

  it('a server that refuses the sender: fails at MAIL FROM with its reply, before any invoice', async () => {
    const { body } = await verify('relayDenied', 'en');
    expect(body.ok).toBe(false);
    if (body.ok) return;
    expect(body.error).toMatchObject({ stage: 'mail', responseCode: 550 });
    expect(body.error.response).toContain('Sender address rejected');
    expect(commands(body).some((line) => line.startsWith('RCPT'))).toBe(false);
  });

  it('a server that refuses the recipient, for good or for now: fails at RCPT TO, never DATA', async () => {
    for (const [name, code] of [
      ['rcptPerm', 550],
      ['rcptTemp', 450],
    ] as const) {
      const { api, body } = await verify(name);
      expect(body.ok, name).toBe(false);
      if (body.ok) return;
      expect(body.error).toMatchObject({ stage: 'rcpt', responseCode: code });
      expect(commands(body).some((line) => line.startsWith('DATA'))).toBe(false);
      expect(await settledRow(api.tenant.id)).toMatchObject({ status: 'failed', error: { stage: 'rcpt' } });
    }
  });

  it('shares the test’s rate limit: five checks a minute, whichever kind', async () => {
    const api = await clientFor();
    const draft = draftFor('relayDenied');
    for (let i = 0; i < 3; i++) expect((await api.post('/v1/mail-server/test', draft)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await api.post('/v1/mail-server/verify', draft)).status).toBe(200);
    const refused = await api.post('/v1/mail-server/verify', draft);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('bad input changes nothing: a 422 naming the field, no row', async () => {
    const api = await clientFor();
    const res = await api.post('/v1/mail-server/verify', { ...draftFor('starttls'), port: 70000 });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('port');
    expect(await db().select().from(deliveries).where(eq(deliveries.tenantId, api.tenant.id))).toEqual([]);
  });
});
