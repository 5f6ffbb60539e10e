import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { Problem, TestResult } from '../../contract/index.ts';
import { getDatabase } from '../../api/db/client.ts';
import { deliveries } from '../../api/db/schema.ts';
import { isSavedServer } from '../../contract/rules/saved-server.ts';
import { clientFor, newTenant } from './helpers.ts';
import { authAttempts, fixtures, leakForms, receivedMails } from './smtp-helpers.ts';

const draftFor = (
  name: 'starttls' | 'plain' | 'tls' | 'refused' | 'echoesPassword',
  overrides: Record<string, unknown> = {},
) => {
  const f = fixtures();
  return {
    host: f.host,
    port: f.ports[name],
    security: name === 'tls' ? 'tls' : name === 'starttls' || name === 'echoesPassword' ? 'starttls' : 'none',
    auth: { method: 'login', username: f.username, password: f.password },
    from: { address: 'rechnung@firma.example', name: 'Müller & Söhne GmbH' },
    replyTo: 'buchhaltung@firma.example',
    ...overrides,
  };
};

const db = () => getDatabase((env as { DATABASE_URL: string }).DATABASE_URL);

/**
 * The tenant's test rows once none is `sending` any more: in the Worker the outcome is written
 * right after the response (waitUntil), so a read straight after it may come first.
 */
async function settledTestRows(tenantId: string) {
  return vi.waitFor(
    async () => {
      const rows = await db().select().from(deliveries).where(eq(deliveries.tenantId, tenantId));
      if (rows.some((r) => r.status === 'sending')) throw new Error('a test row is still sending');
      return rows;
    },
    { timeout: 2_000, interval: 10 },
  );
}

async function mailTo(address: string) {
  return (await receivedMails()).filter((m) => m.envelope.rcptTo.includes(address));
}

describe('POST /v1/mail-server/test', () => {
  it('tests a draft before saving: real mail to the tenant’s own address, localized, naming server/port/security', async () => {
    const api = await clientFor();
    const draft = draftFor('starttls');
    const res = await api.post('/v1/mail-server/test', draft);
    expect(res.status).toBe(200);
    const body = (await res.json()) as TestResult;
    expect(body.ok, JSON.stringify(body)).toBe(true);
    if (!body.ok) return;
    expect(body.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(body.messageId).toMatch(/^<[0-9a-f]{32}@firma\.example>$/);
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
    expect(body.warnings.map((w) => w.code)).toEqual(['sender_domain_mismatch']);
    const text = JSON.stringify(body.transcript);
    for (const form of leakForms(fixtures().password, fixtures().username)) expect(text).not.toContain(form);
    expect(body.transcript.some((l) => l.dir === 'c' && l.line === 'AUTH LOGIN')).toBe(true);
    // The transcript's own lines are German too (the dialogue itself is the protocol's).
    const info = body.transcript.filter((l) => l.dir === 'i').map((l) => l.line);
    expect(info).toContain(`Verbindungsaufbau zu ${draft.host}:${draft.port}`);
    expect(info).toContain('Verbindung mit STARTTLS verschlüsselt');
    expect(
      info.filter((l) => /\b(connection|connected|established|closed|closing|handshake|upgraded)\b/i.test(l)),
    ).toEqual([]);

    const [mail, ...more] = await mailTo(api.tenant.email);
    expect(more).toHaveLength(0);
    expect(mail!.envelope.rcptTo).toEqual([api.tenant.email]);
    expect(mail!.envelope.mailFrom).toBe('rechnung@firma.example');
    expect(mail!.parsed.from).toEqual([{ address: 'rechnung@firma.example', name: 'Müller & Söhne GmbH' }]);
    expect(mail!.parsed.replyTo).toEqual([{ address: 'buchhaltung@firma.example', name: '' }]);
    expect(mail!.parsed.subject).toBe(`Test-E-Mail: Postausgangsserver ${draft.host}:${draft.port} (STARTTLS)`);
    expect(mail!.parsed.text).toContain(`Port: ${draft.port}`);
    expect(mail!.parsed.text).toContain('Verschlüsselung: STARTTLS');
    expect(mail!.parsed.messageId).toBe(body.messageId);

    const rows = await settledTestRows(api.tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'test',
      status: 'sent',
      route: 'tenant',
      attempts: 1,
      messageId: body.messageId,
      smtpResponse: body.response,
    });
  });

  it('connects to a host name in the form DNS knows: full-width letters and an ideographic full stop are IDNA for localhost', async () => {
    const api = await clientFor();
    for (const host of ['ｌｏｃａｌｈｏｓｔ', 'localhost。']) {
      const body = (await (await api.post('/v1/mail-server/test', draftFor('tls', { host }))).json()) as TestResult;
      // Implicit TLS: the certificate (for localhost) is checked against the name connected to.
      expect(body.ok, JSON.stringify(body)).toBe(true);
    }
  });

  it('a server that says the password back in its final reply: the reply is shown and stored without it', async () => {
    const api = await clientFor();
    const body = (await (await api.post('/v1/mail-server/test', draftFor('echoesPassword'))).json()) as TestResult;
    expect(body.ok, JSON.stringify(body)).toBe(true);
    if (!body.ok) return;
    expect(body.response).toBe(`250 2.0.0 Ok: queued for ${fixtures().username} with password ***`);
    const listed = await (await api.get('/v1/deliveries')).text();
    const [row] = await settledTestRows(api.tenant.id);
    for (const text of [JSON.stringify(body), listed, JSON.stringify(row)]) {
      for (const form of leakForms(fixtures().password, fixtures().username)) expect(text).not.toContain(form);
    }
    expect(row!.smtpResponse).toBe(body.response);
  });

  it('English test mail and texts with Accept-Language: en', async () => {
    const api = await clientFor();
    const res = await api.post('/v1/mail-server/test', draftFor('tls'), {
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    const body = (await res.json()) as TestResult;
    expect(body.ok, JSON.stringify(body)).toBe(true);
    const [mail] = await mailTo(api.tenant.email);
    expect(mail!.parsed.subject).toMatch(/^Test e-mail: outgoing mail server .*\(SSL\/TLS\)$/);
    expect(mail!.secure).toBe(true);
  });

  it('without a body tests the saved settings; a draft of the saved server without password uses the stored one', async () => {
    const api = await clientFor();
    const { password: _password, ...authWithoutPassword } = draftFor('starttls').auth as Record<string, string>;
    expect(
      (
        await api.put(
          '/v1/mail-server',
          draftFor('starttls', { auth: { ...draftFor('starttls').auth, method: 'cram-md5' } }),
        )
      ).status,
    ).toBe(200);

    const saved = (await (await api.post('/v1/mail-server/test')).json()) as TestResult;
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    expect(saved.transcript.some((l) => l.line === 'AUTH CRAM-MD5')).toBe(true);

    // Same host, port and user name (another method): the stored password is used.
    const draft = (await (
      await api.post('/v1/mail-server/test', draftFor('starttls', { auth: authWithoutPassword }))
    ).json()) as TestResult;
    expect(draft.ok, JSON.stringify(draft)).toBe(true);
    expect(draft.transcript.some((l) => l.line === 'AUTH LOGIN')).toBe(true);
    expect(await mailTo(api.tenant.email)).toHaveLength(2);
  });

  it('the stored password never goes to a server the draft names instead: 422 on auth.password', async () => {
    const api = await clientFor();
    // A user name of this test alone, so the fixtures' AUTH log shows whether it ever logged in with it.
    const username = `leak-${crypto.randomUUID().slice(0, 8)}@firma.example`;
    const storedPassword = `gespeichert-${crypto.randomUUID()}`;
    expect(
      (
        await api.put(
          '/v1/mail-server',
          draftFor('starttls', { auth: { method: 'plain', username, password: storedPassword } }),
        )
      ).status,
    ).toBe(200);

    const otherUser = `other-${username}`;
    const otherServers = [
      draftFor('tls', { auth: { method: 'plain', username } }), // other port
      draftFor('starttls', { host: '127.0.0.1', auth: { method: 'plain', username } }), // other host
      draftFor('starttls', { auth: { method: 'plain', username: otherUser } }), // other user name
      draftFor('starttls', { security: 'none', auth: { method: 'plain', username } }), // encryption switched off
    ];
    for (const draft of otherServers) {
      const res = await api.post('/v1/mail-server/test', draft);
      const problem = (await res.json()) as Problem;
      expect(res.status, JSON.stringify(draft)).toBe(422);
      expect(problem.errors).toEqual([
        {
          path: 'auth.password',
          code: 'password_required_for_new_server',
          message: expect.stringContaining('gespeicherte Passwort'),
        },
      ]);
      expect(JSON.stringify(problem)).not.toContain(storedPassword);
    }
    const en = (await (
      await api.post('/v1/mail-server/test', otherServers[0], { headers: { 'accept-language': 'en' } })
    ).json()) as Problem;
    expect(en.errors?.[0]?.message).toMatch(/stored password is only used for the saved server/);

    // No server saw a login with the stored credentials, nothing was sent and no test was counted.
    expect((await authAttempts()).filter((a) => a.username === username || a.username === otherUser)).toEqual([]);
    expect(await mailTo(api.tenant.email)).toHaveLength(0);
    expect(await db().select().from(deliveries).where(eq(deliveries.tenantId, api.tenant.id))).toHaveLength(0);

    // With its password, the other server is tested as usual.
    const withPassword = (await (await api.post('/v1/mail-server/test', draftFor('tls'))).json()) as TestResult;
    expect(withPassword.ok, JSON.stringify(withPassword)).toBe(true);
  });

  it('the saved server is the same host in any letter case, the same port and user name, reached no less safely', () => {
    const saved = {
      host: 'Smtp.Firma.Example',
      port: 587,
      username: 'rechnung@firma.example',
      security: 'starttls' as const,
      authMethod: 'plain' as const,
      allowUntrustedCertificate: false,
      tlsPinSha256: null,
    };
    type Security = 'none' | 'starttls' | 'tls';
    const draft = (
      host: string,
      port: number,
      username: string | null,
      security: Security = 'starttls',
      method = 'plain',
      allowUntrustedCertificate = false,
    ) => ({ host, port, security, allowUntrustedCertificate, auth: { method, username } });
    const user = 'rechnung@firma.example';
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, user))).toBe(true);
    expect(isSavedServer(saved, draft('smtp.firma.example.evil.example', 587, user))).toBe(false);
    expect(isSavedServer(saved, draft('smtp.firma.example', 465, user))).toBe(false);
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, 'Rechnung@firma.example'))).toBe(false);
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, null))).toBe(false);
    // Another encrypted mode is fine; "none" would send the password in clear text.
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, user, 'tls'))).toBe(true);
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, user, 'none'))).toBe(false);
    // Saved without encryption, the tenant already chose clear text for this password.
    expect(isSavedServer({ ...saved, security: 'none' }, draft('smtp.firma.example', 587, user, 'none'))).toBe(true);
    expect(isSavedServer({ ...saved, security: 'none' }, draft('smtp.firma.example', 587, user, 'starttls'))).toBe(
      true,
    );
    // CRAM-MD5 without encryption never sent the password; PLAIN or LOGIN would send it readable.
    const cram = { ...saved, security: 'none' as const, authMethod: 'cram-md5' as const };
    expect(isSavedServer(cram, draft('smtp.firma.example', 587, user, 'none', 'cram-md5'))).toBe(true);
    expect(isSavedServer(cram, draft('smtp.firma.example', 587, user, 'none', 'plain'))).toBe(false);
    expect(isSavedServer(cram, draft('smtp.firma.example', 587, user, 'none', 'login'))).toBe(false);
    expect(isSavedServer(cram, draft('smtp.firma.example', 587, user, 'starttls', 'login'))).toBe(true);
    // Letter case as the save statement folds it (SQLite's lower(): A–Z only), so a test never uses
    // the stored password for a host the save would call another server.
    expect(isSavedServer({ ...saved, host: 'smtp.MÜLLER.example' }, draft('smtp.müller.example', 587, user))).toBe(
      false,
    );
    expect(isSavedServer({ ...saved, host: 'smtp.MüLLER.example' }, draft('SMTP.müller.EXAMPLE', 587, user))).toBe(
      true,
    );
    // "Always trust the certificate" switched on: anyone in between could present one.
    expect(isSavedServer(saved, draft('smtp.firma.example', 587, user, 'starttls', 'plain', true))).toBe(false);
    expect(
      isSavedServer(
        { ...saved, allowUntrustedCertificate: true },
        draft('smtp.firma.example', 587, user, 'starttls', 'plain', true),
      ),
    ).toBe(true);
  });

  it('a server that takes the test mail but never confirms it: the result says it may have arrived', async () => {
    const api = await clientFor();
    const draft = { ...draftFor('plain'), port: fixtures().ports.closesAfterData, auth: { method: 'none' } };
    const res = await api.post('/v1/mail-server/test', draft, { headers: { 'accept-language': 'en' } });
    const result = (await res.json()) as TestResult;
    expect(res.status).toBe(200);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      stage: 'data',
      code: 'test_unconfirmed',
      message: expect.stringContaining('did not confirm'),
    });
    expect(result.error.hint).toMatch(/check the mailbox/);
    const rows = await settledTestRows(api.tenant.id);
    expect(rows[0]).toMatchObject({ status: 'failed', error: { code: 'test_unconfirmed' } });
  });

  it('409 problem when nothing is saved and no draft is sent', async () => {
    const api = await clientFor();
    const res = await api.post('/v1/mail-server/test');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as Problem).code).toBe('not_configured');
  });

  it('a draft without password and nothing stored: 422 on auth.password', async () => {
    const api = await clientFor();
    const { password: _p, ...auth } = draftFor('starttls').auth as Record<string, string>;
    const res = await api.post('/v1/mail-server/test', draftFor('starttls', { auth }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.map((e) => e.path)).toEqual(['auth.password']);
  });

  it('invalid drafts: 422 with field errors, nothing sent or counted', async () => {
    const api = await clientFor();
    for (const [draft, path] of [
      [{ ...draftFor('starttls'), port: 0 }, 'port'],
      [{ ...draftFor('starttls'), host: 'smtp example com' }, 'host'],
      [{ ...draftFor('starttls'), security: 'ssl' }, 'security'],
      [{ ...draftFor('starttls'), port: 25 }, 'port'],
      [{ ...draftFor('starttls'), from: { address: 'x@y.example\r\nBcc: evil@example.com' } }, 'from.address'],
    ] as const) {
      const res = await api.post('/v1/mail-server/test', draft);
      expect(res.status, JSON.stringify(draft)).toBe(422);
      expect(((await res.json()) as Problem).errors?.[0]?.path).toBe(path);
    }
    expect(await db().select().from(deliveries).where(eq(deliveries.tenantId, api.tenant.id))).toHaveLength(0);
  });

  it('a failing test answers 200 with a localized error, stage and hint, and is recorded', async () => {
    const api = await clientFor();
    const wrong = draftFor('starttls', {
      auth: { method: 'plain', username: fixtures().username, password: 'falsches-Pässwort' },
    });
    const de = (await (await api.post('/v1/mail-server/test', wrong)).json()) as TestResult;
    expect(de.ok).toBe(false);
    if (de.ok) return;
    expect(de.error).toMatchObject({ stage: 'auth', code: 'auth_failed', responseCode: 535 });
    expect(de.error.message).toBe('Der Server hat Benutzername oder Passwort abgelehnt.');
    expect(de.error.hint).toContain('App-Passwort');
    expect(JSON.stringify(de)).not.toContain('falsches-Pässwort');

    const en = (await (
      await api.post('/v1/mail-server/test', wrong, { headers: { 'accept-language': 'en' } })
    ).json()) as TestResult;
    if (en.ok) throw new Error('expected failure');
    expect(en.error.message).toBe('The server rejected the user name or password.');
    expect(en.error.hint).toContain('app password');
    expect(en.transcript).toContainEqual({ dir: 'i', line: `Connecting to ${wrong.host}:${wrong.port}` });
    expect(en.transcript).toContainEqual({
      dir: 'i',
      line: 'Failed at auth: auth_failed (535 5.7.8 Authentication credentials invalid)',
    });
    expect(de.transcript).toContainEqual({
      dir: 'i',
      line: 'Fehlgeschlagen bei „Anmeldung“: auth_failed (535 5.7.8 Authentication credentials invalid)',
    });

    const refused = (await (await api.post('/v1/mail-server/test', draftFor('refused'))).json()) as TestResult;
    if (refused.ok) throw new Error('expected failure');
    expect(refused.error).toMatchObject({ stage: 'connect', code: 'connection_refused' });
    expect(refused.error.hint).toMatch(/Port/);
    expect(refused.warnings.map((w) => w.code)).toContain('no_encryption');

    const rows = (await settledTestRows(api.tenant.id)).filter((r) => r.status === 'failed');
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.error?.stage).sort()).toEqual(['auth', 'auth', 'connect']);
    // The list of recent mails says the same as the test did (server and port named).
    const listed = (await (await api.get('/v1/deliveries')).json()) as {
      deliveries: { error: { code: string; message: string } | null }[];
    };
    expect(listed.deliveries.find((d) => d.error?.code === 'connection_refused')!.error!.message).toBe(
      refused.error.message,
    );
  });

  it('tenant isolation: B cannot test with A’s saved settings, and sees none of A’s tests', async () => {
    const a = await clientFor();
    const b = await clientFor(newTenant());
    expect((await a.put('/v1/mail-server', draftFor('starttls'))).status).toBe(200);
    expect((await a.post('/v1/mail-server/test')).status).toBe(200);
    const res = await b.post('/v1/mail-server/test');
    expect(res.status).toBe(409);
    // B's draft without password does not get A's stored password
    const { password: _p, ...auth } = draftFor('starttls').auth as Record<string, string>;
    expect((await b.post('/v1/mail-server/test', draftFor('starttls', { auth }))).status).toBe(422);
    expect(await db().select().from(deliveries).where(eq(deliveries.tenantId, b.tenant.id))).toHaveLength(0);
    expect(await mailTo(b.tenant.email)).toHaveLength(0);
  });

  it('rate limit: 5 tests per tenant per minute, then 429 with Retry-After; other tenants unaffected', async () => {
    const api = await clientFor();
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v1/mail-server/test', draftFor('refused'));
      expect(res.status).toBe(200);
    }
    const limited = await api.post('/v1/mail-server/test', draftFor('refused'));
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as Problem).code).toBe('rate_limited');
    const other = await clientFor();
    expect((await other.post('/v1/mail-server/test', draftFor('refused'))).status).toBe(200);
  });

  it('rate limit holds under concurrent requests', async () => {
    const api = await clientFor();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => api.post('/v1/mail-server/test', draftFor('refused')).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it('needs a tenant token', async () => {
    const { call } = await import('./helpers.ts');
    expect((await call('POST', '/v1/mail-server/test')).status).toBe(401);
  });
});
