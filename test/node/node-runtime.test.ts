// The same app on Node (api/node/service.ts): Node capabilities, and "always trust the server
// certificate" end to end — a test against a server whose certificate no CA here vouches for
// fails without trust, succeeds with it and pins the certificate's SHA-256; later sends through
// the in-process outbox use the pin and refuse a server that presents another certificate.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { MailServerResponse, TestResult } from '../../contract/index.ts';
import { mailServers, type TenantIdentity } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService } from '../../api/node/service.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import type { FixtureName, ReceivedMail } from '../support/smtp-servers.ts';

const fixtures = inject('smtpFixtures');
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, { ENVIRONMENT: 'test', OUTBOX_RETRY_DELAYS: '0,0,0' });
const service = createNodeService(env, {
  timeouts: { connectMs: 5_000, greetingMs: 5_000, socketMs: 5_000, totalMs: 10_000 },
});
afterAll(() => service.close());

const fingerprintOf = (file: string) =>
  new X509Certificate(readFileSync(new URL(`../fixtures/tls/${file}`, import.meta.url))).fingerprint256.replace(
    /:/g,
    '',
  );
const UNTRUSTED_SHA256 = fingerprintOf('untrusted.pem');
const TRUSTED_SHA256 = fingerprintOf('server.pem');

async function call(
  method: string,
  path: string,
  options: { token?: string; operator?: boolean; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { 'accept-language': 'en', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.operator) headers.authorization = `Bearer ${env.OPERATOR_API_KEY}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return service.app.request(`http://api.test${path}`, { method, headers, body }, env);
}

async function newTenant() {
  const id = `node-${randomUUID().slice(0, 8)}`;
  const tenant: TenantIdentity = { id, email: `owner@${id}.example.com`, name: `Firma ${id}` };
  const res = await call('PUT', `/v1/tenants/${id}`, {
    operator: true,
    body: { name: tenant.name, email: tenant.email },
  });
  expect(res.status).toBe(200);
  return { tenant, token: await mintTenantToken(env.TENANT_TOKEN_SECRET!, tenant) };
}

const settingsFor = (server: FixtureName, extra: Record<string, unknown> = {}) => ({
  host: fixtures.host,
  port: fixtures.ports[server],
  security: server === 'untrustedTls' ? 'tls' : 'starttls',
  auth: { method: 'plain', username: fixtures.username, password: fixtures.password },
  from: { address: 'rechnung@kunde-node.example.com', name: 'Müller & Söhne GmbH' },
  fallbackToSystem: false,
  ...extra,
});

async function save(token: string, settings: Record<string, unknown>): Promise<MailServerResponse> {
  const res = await call('PUT', '/v1/mail-server', { token, body: settings });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as MailServerResponse;
}

async function testSettings(token: string, draft?: Record<string, unknown>): Promise<TestResult> {
  const res = await call('POST', '/v1/mail-server/test', { token, body: draft });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TestResult;
}

async function storedPin(tenantId: string): Promise<string | null | undefined> {
  const rows = await service
    .db()
    .select({ pin: mailServers.tlsPinSha256 })
    .from(mailServers)
    .where(eq(mailServers.tenantId, tenantId));
  return rows[0]?.pin;
}

interface MessageStatus {
  status: string;
  attempts: number;
  route: string | null;
  response: string | null;
  error: { stage: string; code: string; message: string; hint: string } | null;
}

/** An invoice through the operator API and the Node outbox; waits until the outbox is done with it. */
async function sendInvoice(tenantId: string, tag: string, to = 'kunde@kunde.example.com'): Promise<MessageStatus> {
  const res = await call('POST', `/v1/tenants/${tenantId}/messages`, {
    operator: true,
    headers: { 'idempotency-key': randomUUID() },
    body: { kind: 'invoice', to: [to], subject: `Rechnung ${tag}`, text: 'Anbei Ihre Rechnung.' },
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await service.outbox.idle();
  const status = await call('GET', `/v1/tenants/${tenantId}/messages/${id}`, { operator: true });
  return (await status.json()) as MessageStatus;
}

async function received(tag: string): Promise<ReceivedMail[]> {
  const mails = (await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[];
  return mails.filter((m) => m.parsed.subject?.includes(tag));
}

const tagOf = () => `#${randomUUID().slice(0, 8)}`;

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

  it('a test against a server with an untrusted certificate fails without trust and succeeds with it, pinning the certificate', async () => {
    const without = await testSettings(token, settingsFor('untrusted'));
    expect(without.ok).toBe(false);
    if (without.ok) return;
    expect(without.error).toMatchObject({ stage: 'tls', code: 'certificate_untrusted' });
    expect(without.error.hint).toMatch(/Always trust the server certificate/);

    // Saved with trust, then tested (the widget's "Save" then "Test settings"): the certificate is pinned.
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect(await storedPin(tenant.id)).toBeNull();
    const withTrust = await testSettings(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect(withTrust.ok, JSON.stringify(withTrust)).toBe(true);
    expect(withTrust.transcript).toContainEqual({ dir: 'i', line: `Server certificate SHA-256 ${UNTRUSTED_SHA256}` });
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);

    // The password travelled only inside TLS, and the test mail arrived.
    const mails = (await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[];
    const mail = mails.find((m) => m.server === 'untrusted' && m.envelope.rcptTo.includes(tenant.email));
    expect(mail).toMatchObject({ secure: true, auth: { username: fixtures.username } });
    expect(JSON.stringify(withTrust)).not.toContain(fixtures.password);
  });

  it('implicit TLS: a test of the saved settings pins the certificate too', async () => {
    await save(token, settingsFor('untrustedTls', { allowUntrustedCertificate: true }));
    const result = await testSettings(token);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    expect((await sendInvoice(tenant.id, tagOf())).status).toBe('sent');
  });

  it('outbox sends use the pin; another certificate on the pinned server is refused at stage tls', async () => {
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect((await testSettings(token)).ok).toBe(true);
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
    expect(refused.error!.message).toBe('The server presents a different certificate than at the test.');
    expect(refused.error!.hint).toMatch(/test and save the settings again/);
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

    // After a renewal the tenant tests again: the certificate now presented is pinned and sends work.
    expect((await testSettings(token)).ok).toBe(true);
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    expect((await sendInvoice(tenant.id, tagOf())).status).toBe('sent');
  });

  it('a pinned server that now shows a CA-signed certificate is refused too (the pin, not the CA, decides)', async () => {
    await save(token, settingsFor('starttls', { allowUntrustedCertificate: true }));
    expect((await testSettings(token)).ok).toBe(true);
    expect(await storedPin(tenant.id)).toBe(TRUSTED_SHA256);
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
    await save(token, settingsFor('flaky', { allowUntrustedCertificate: true }));
    await service
      .db()
      .update(mailServers)
      .set({ tlsPinSha256: TRUSTED_SHA256 })
      .where(eq(mailServers.tenantId, tenant.id));
    const tag = tagOf();
    const status = await sendInvoice(tenant.id, tag, `later-${randomUUID().slice(0, 8)}@kunde.example.com`);
    expect(status).toMatchObject({ status: 'sent', route: 'tenant', attempts: 2 });
    expect(await received(tag)).toMatchObject([{ server: 'flaky' }]);
  });

  it('the pin is kept while host (in any letter case) and port stay and dropped when they change or trust is turned off', async () => {
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true }));
    expect((await testSettings(token)).ok).toBe(true);
    await save(
      token,
      settingsFor('untrusted', {
        allowUntrustedCertificate: true,
        from: { address: 'neu@kunde-node.example.com', name: 'Neu' },
      }),
    );
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    await save(token, settingsFor('untrusted', { allowUntrustedCertificate: true, host: fixtures.host.toUpperCase() }));
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    await save(token, settingsFor('untrustedTls', { allowUntrustedCertificate: true }));
    expect(await storedPin(tenant.id)).toBeNull();
    expect((await testSettings(token)).ok).toBe(true);
    expect(await storedPin(tenant.id)).toBe(UNTRUSTED_SHA256);
    await save(token, settingsFor('untrustedTls'));
    expect(await storedPin(tenant.id)).toBeNull();
  });
});
