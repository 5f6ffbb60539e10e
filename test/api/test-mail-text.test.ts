// The test mail says what the test proved and what it did not: a test saves nothing, so it says
// whether the settings tested are the saved ones (invoices go this way now) or still a draft.
import { describe, expect, it } from 'vitest';
import type { TestResult } from '../../contract/index.ts';
import { clientFor } from './helpers.ts';
import { fixtures, receivedMails } from './smtp-helpers.ts';

const draft = () => {
  const f = fixtures();
  return {
    host: f.host,
    port: f.ports.starttls,
    security: 'starttls',
    auth: { method: 'login', username: f.username, password: f.password },
    from: { address: 'rechnung@firma.example', name: 'Müller & Söhne GmbH' },
  };
};

async function testMail(api: Awaited<ReturnType<typeof clientFor>>, body: unknown, lang = 'de') {
  const res = await api.post('/v1/mail-server/test', body, { headers: { 'accept-language': lang } });
  const result = (await res.json()) as TestResult;
  expect(result.ok, JSON.stringify(result)).toBe(true);
  const mail = (await receivedMails()).find((m) => m.parsed.messageId === (result as { messageId: string }).messageId);
  return mail!.parsed.text!;
}

describe('the test mail says whether invoices go this way', () => {
  it('a draft not saved: it works, but invoices use it only once it is saved', async () => {
    const api = await clientFor();
    const text = await testMail(api, draft());
    expect(text).toContain(
      'Sie zeigt, dass der Versand über Ihren Postausgangsserver mit diesen Einstellungen funktioniert',
    );
    expect(text).toContain(
      'Diese Einstellungen sind noch nicht gespeichert. Erst nach dem Speichern werden Ihre Rechnungen und Belege über diesen Server versendet.',
    );
    expect(text).not.toMatch(/Ab jetzt/);
    expect(await testMail(api, draft(), 'en')).toContain(
      'These settings are not saved yet. Your invoices and documents are sent through this server only after you save them.',
    );
  });

  it('the saved settings, tested as saved or as the unchanged draft: invoices go this way', async () => {
    const api = await clientFor();
    expect((await api.put('/v1/mail-server', draft())).status).toBe(200);
    const saved =
      'Diese Einstellungen sind gespeichert: Ihre Rechnungen und Belege werden über diesen Server versendet.';
    expect(await testMail(api, undefined)).toContain(saved);
    // The widget always tests its draft: unchanged (the stored password kept), it is the saved one.
    const { password: _, ...login } = draft().auth;
    expect(await testMail(api, { ...draft(), auth: login })).toContain(saved);
    expect(await testMail(api, { ...draft(), auth: login }, 'en')).toContain(
      'These settings are saved: your invoices and documents are sent through this server.',
    );
    // A new password, another sender: not what is saved.
    expect(await testMail(api, draft())).toContain('noch nicht gespeichert');
    expect(await testMail(api, { ...draft(), auth: login, from: { address: 'info@firma.example' } })).toContain(
      'noch nicht gespeichert',
    );
  });
});
