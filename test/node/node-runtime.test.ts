// The same app on Node (api/node/service.ts): Node capabilities, and "always trust the server
// certificate" end to end — a test against a server whose certificate no CA here vouches for
// fails without trust, shows the certificate with it, and succeeds once its SHA-256 is trusted;
// the save pins it, and later sends through the in-process outbox use the pin and refuse a server
// that presents another certificate (the man in the middle: trust-certificate.security.test.ts).
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { MailServerResponse } from '../../contract/index.ts';
import { mailServers, type TenantIdentity } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService } from '../../api/node/service.ts';
import { nodeApp, tagOf } from '../support/node-app.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import type { FixtureName, ReceivedMail } from '../support/smtp-servers.ts';

const fixtures = inject('smtpFixtures');
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, { ENVIRONMENT: 'test', OUTBOX_RETRY_DELAYS: '0,0,0' });
const service = createNodeService(env, {
  timeouts: { connectMs: 5_000, greetingMs: 5_000, socketMs: 5_000, totalMs: 10_000 },
});
afterAll(() => service.close());
const { call, newTenant, save, testSettings, storedPin, sendInvoice, received } = nodeApp(service, env, fixtures);

const fingerprintOf = (file: string) =>
  new X509Certificate(readFileSync(new URL(`../fixtures/tls/${file}`, import.meta.url))).fingerprint256.replace(
    /:/g,
    '',
  );
const UNTRUSTED_SHA256 = fingerprintOf('untrusted.pem');
const TRUSTED_SHA256 = fingerprintOf('server.pem');

const settingsFor = (server: FixtureName, extra: Record<string, unknown> = {}) => ({
  host: fixtures.host,
  port: fixtures.ports[server],
  security: server === 'untrustedTls' ? 'tls' : 'starttls',
  auth: { method: 'plain', username: fixtures.username, password: fixtures.password },
  from: { address: 'rechnung@kunde-node.example.com', name: 'Müller & Söhne GmbH' },
  fallbackToSystem: false,
  ...extra,
});

/** "Always trust" with the certificate the tenant confirmed. */
const pinned = (sha256: string) => ({ allowUntrustedCertificate: true, trustedCertificateSha256: sha256 });

describe('on Node', () => {
  let tenant: TenantIdentity;
  let token: string;
  beforeEach(async () => {
    ({ tenant, token } = await newTenant());
  });

  it('reports the Node capabilities: certificate trust available, no blocked ports', async () => {
    const res = await call('GET', '/v1/mail-server', { token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as MailServerResponse).capabilities).toEqual({
      runtime: 'node',
      allowUntrustedCertificate: true,
      blockedPorts: [],
      oauthProviders: [],
    });
  });

  it('accepts "always trust the server certificate" and port 25 in settings', async () => {
    const body = await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect(body.settings).toMatchObject({ allowUntrustedCertificate: true, port: fixtures.ports.untrusted });
    expect((await save(token, settingsFor('untrusted', { port: 25 }))).settings?.port).toBe(25);
  });

  it('a test against a server with an untrusted certificate fails without trust, shows it with trust, and succeeds once it is trusted', async () => {
    const without = await testSettings(token, settingsFor('untrusted'));
    expect(without.ok).toBe(false);
    if (without.ok) return;
    expect(without.error).toMatchObject({ stage: 'tls', code: 'certificate_untrusted' });
    expect(without.error.hint).toMatch(/Always trust the server certificate/);

    const shown = await testSettings(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect(shown).toMatchObject({ ok: false, error: { stage: 'tls', code: 'certificate_unconfirmed' } });
    expect(!shown.ok && shown.error.certificate?.sha256).toBe(UNTRUSTED_SHA256);
    expect(shown.transcript).toContainEqual({ dir: 'i', line: `Server certificate SHA-256 ${UNTRUSTED_SHA256}` });

    const withTrust = await testSettings(token, settingsFor('untrusted', pinned(UNTRUSTED_SHA256)));
    expect(withTrust.ok, JSON.stringify(withTrust)).toBe(true);
    expect(await storedPin(tenant.id)).toBeUndefined(); // a test saves nothing

    // The password travelled only inside TLS, and the test mail arrived.
    const mails = (await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[];
    const mail = mails.find((m) => m.server === 'untrusted' && m.envelope.rcptTo.includes(tenant.email));
    expect(mail).toMatchObject({ secure: true, auth: { username: fixtures.username } });
    expect(JSON.stringify(withTrust)).not.toContain(fixtures.password);
  });

  it('implicit TLS: the saved pin lets a test of the saved settings and invoices through', async () => {
    await save(token, settingsFor('untrustedTls', pinned(UNTRUSTED_SHA256)));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    const result = await testSettings(token);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect((await sendInvoice(tenant.id, tagOf())).status).toBe('sent');
  });

  it('outbox sends use the pin; another certificate on the pinned server is refused at stage tls', async () => {
    await save(token, settingsFor('untrusted', pinned(UNTRUSTED_SHA256)));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);

    // A send through the in-process outbox: accepted because the server shows the pinned certificate.
    const tag = tagOf();
    const sent = await sendInvoice(tenant.id, tag);
    expect(sent).toMatchObject({ status: 'sent', route: 'tenant', error: null });
    expect(sent.response).toMatch(/^250 /);
    expect(await received(tag)).toMatchObject([{ server: 'untrusted', secure: true }]);

    // The server behind the saved host:port now presents another certificate (the fixture whose
    // certificate the test CA signed). The row is changed directly: a PUT with another port would
    // drop the pin, which is not the case to check here.
    await service
      .db()
      .update(mailServers)
      .set({ port: fixtures.ports.starttls })
      .where(eq(mailServers.tenantId, tenant.id));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    const authBefore = ((await (await fetch(`${fixtures.controlUrl}/auth-attempts`)).json()) as unknown[]).length;
    const refusedTag = tagOf();
    const refused = await sendInvoice(tenant.id, refusedTag);
    expect(refused).toMatchObject({
      status: 'failed',
      route: 'tenant',
      error: { stage: 'tls', code: 'certificate_pin_mismatch' },
    });
    expect(refused.error!.message).toBe(
      'The server presents a different certificate than the one you trusted. No credentials were sent.',
    );
    expect(refused.error!.hint).toMatch(/trust the new certificate and save the settings with the password/);
    expect(await received(refusedTag)).toEqual([]);
    // Refused before EHLO and AUTH travelled over the connection: no login reached the server.
    const authAfter = (await (await fetch(`${fixtures.controlUrl}/auth-attempts`)).json()) as { server: string }[];
    expect(authAfter.slice(authBefore).filter((a) => a.server === 'starttls')).toEqual([]);

    // A wrong pin for the right server is refused the same way.
    await service
      .db()
      .update(mailServers)
      .set({ port: fixtures.ports.untrusted, tlsPinSha256: 'AB'.repeat(32) })
      .where(eq(mailServers.tenantId, tenant.id));
    expect((await sendInvoice(tenant.id, tagOf())).error).toMatchObject({
      stage: 'tls',
      code: 'certificate_pin_mismatch',
    });

    // After a renewal the tenant tests again, is shown the certificate now presented, and saves it with the password.
    const retest = await testSettings(token);
    expect(!retest.ok && retest.error.certificate?.sha256).toBe(UNTRUSTED_SHA256);
    expect(await storedPin(tenant.id)).toBe('AB'.repeat(32));
    await save(token, settingsFor('untrusted', pinned(UNTRUSTED_SHA256)));
    expect((await sendInvoice(tenant.id, tagOf())).status).toBe('sent');
  });

  it('a pinned server that now shows a CA-signed certificate is refused too (the pin, not the CA, decides)', async () => {
    await save(token, settingsFor('starttls', pinned(TRUSTED_SHA256)));
    expect((await testSettings(token)).ok).toBe(true);
    await service
      .db()
      .update(mailServers)
      .set({ port: fixtures.ports.untrusted })
      .where(eq(mailServers.tenantId, tenant.id));
    expect((await sendInvoice(tenant.id, tagOf())).error).toMatchObject({
      stage: 'tls',
      code: 'certificate_pin_mismatch',
    });
  });

  it('trust without a pin (saved, never tested) does not turn certificate checks off', async () => {
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    const status = await sendInvoice(tenant.id, tagOf());
    expect(status).toMatchObject({ status: 'failed', error: { stage: 'tls', code: 'certificate_untrusted' } });
  });

  it('a transient failure is retried by the in-process outbox (timer), with the pin', async () => {
    await save(token, settingsFor('flaky', pinned(TRUSTED_SHA256)));
    const tag = tagOf();
    const status = await sendInvoice(tenant.id, tag, `later-${randomUUID().slice(0, 8)}@kunde.example.com`);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2 });
    expect(await received(tag)).toMatchObject([{ server: 'flaky' }]);
  });

  it('the pin is kept while host (in any letter case) and port stay and dropped when they change or trust is turned off', async () => {
    await save(token, settingsFor('untrusted', pinned(UNTRUSTED_SHA256)));
    const kept = { allowUntrustedCertificate: true, from: { address: 'neu@kunde-node.example.com', name: 'Neu' } };
    expect((await save(token, settingsFor('untrusted', kept))).settings?.trustedCertificateSha256).toBe(
      UNTRUSTED_SHA256,
    );
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true, host: fixtures.host.toUpperCase() }));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    await save(token, settingsFor('untrustedTls', { allowUntrustedCertificate: true }));
    expect(await storedPin(tenant.id)).toBeNull();
    await save(token, settingsFor('untrustedTls', pinned(UNTRUSTED_SHA256)));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    const untrustedOff = await save(token, settingsFor('untrustedTls', { trustedCertificateSha256: UNTRUSTED_SHA256 }));
    expect(untrustedOff.settings?.trustedCertificateSha256).toBeNull();
    expect(await storedPin(tenant.id)).toBeNull();
  });

  it('refuses a fingerprint that is not 64 hex digits, changing nothing', async () => {
    const res = await call('PUT', '/v1/mail-server', {
      token,
      body: settingsFor('untrusted', pinned(UNTRUSTED_SHA256.slice(2))),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string; code: string }[] }).errors).toEqual([
      expect.objectContaining({ path: 'trustedCertificateSha256', code: 'fingerprint_invalid' }),
    ]);
    expect(await storedPin(tenant.id)).toBeUndefined();
  });
});
