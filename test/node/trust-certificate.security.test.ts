// "Always trust the server certificate" (Node) against a man in the middle: the saved host and
// port lead through a relay that the test points at the genuine server or at an impostor whose
// certificate has the same names and issuer. No password (stored or typed) reaches a certificate
// the tenant did not confirm, a test never pins by itself, and a new pin needs the password again.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { TenantIdentity } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService } from '../../api/node/service.ts';
import { nodeApp, tagOf } from '../support/node-app.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import { PASSWORD, USERNAME } from '../support/smtp-servers.ts';

const fixtures = inject('smtpFixtures');
const env: Bindings = nodeTestEnv(inject('dbUrl'), fixtures, { ENVIRONMENT: 'test', OUTBOX_RETRY_DELAYS: '0,0,0' });
const service = createNodeService(env, {
  timeouts: { connectMs: 5_000, greetingMs: 5_000, socketMs: 5_000, totalMs: 10_000 },
});
const { call, newTenant, save, testSettings, storedPin, sendInvoice } = nodeApp(service, env, fixtures);

const pem = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
const sha256Of = (name: string) => new X509Certificate(pem(`${name}.pem`)).fingerprint256.replace(/:/g, '');
const GENUINE = sha256Of('untrusted');
const IMPOSTOR = sha256Of('impostor');

/** An SMTP server with one of the fixture certificates; counts the logins and mails it got. */
async function serverWith(certificate: 'untrusted' | 'impostor', secure: boolean) {
  const seen = { logins: 0, subjects: [] as string[] };
  const server = new SMTPServer({
    key: pem(`${certificate}.key`),
    cert: pem(`${certificate}.pem`),
    secure,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      seen.logins++;
      const ok = auth.username === USERNAME && auth.password === PASSWORD;
      callback(ok ? null : new Error('535 invalid'), ok ? { user: auth.username } : undefined);
    },
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      stream.on('end', () => {
        seen.subjects.push(/^Subject: (.*)$/m.exec(raw)?.[1] ?? '');
        callback();
      });
    },
  });
  server.on('error', () => {});
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return { port, seen, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The network in between: forwards every connection to whichever server it points at now. */
async function relay() {
  const state = { target: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(state.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return { port, state, stop };
}

let genuine: Awaited<ReturnType<typeof serverWith>>;
let impostor: Awaited<ReturnType<typeof serverWith>>;
let impostorTls: Awaited<ReturnType<typeof serverWith>>;
let network: Awaited<ReturnType<typeof relay>>;
beforeAll(async () => {
  [genuine, impostor, impostorTls, network] = await Promise.all([
    serverWith('untrusted', false),
    serverWith('impostor', false),
    serverWith('impostor', true),
    relay(),
  ]);
});
afterAll(async () => {
  await Promise.all([genuine.stop(), impostor.stop(), impostorTls.stop(), network.stop()]);
  await service.close();
});

const trusted = (extra: Record<string, unknown> = {}) => ({
  host: 'localhost',
  port: network.port,
  security: 'starttls',
  allowUntrustedCertificate: true,
  auth: { method: 'plain', username: USERNAME, password: PASSWORD },
  from: { address: 'rechnung@kunde-node.example.com', name: 'Müller & Söhne GmbH' },
  // The invoices must end with the tenant route's error, not go out through the relay (on by default).
  fallbackToSystem: false,
  ...extra,
});
/** The same settings without a password: the stored one is to be used. */
const storedPassword = (extra: Record<string, unknown> = {}) =>
  trusted({ auth: { method: 'plain', username: USERNAME }, ...extra });

const certificateOf = (sha256: string) => ({
  sha256,
  subject: 'CN=localhost',
  issuer: 'CN=untrusted test CA',
  validFrom: expect.stringMatching(/^2026-1\d-\d\dT/),
  validTo: expect.stringMatching(/^2126-/),
});

describe('always trust the certificate, with a man in the middle', () => {
  let tenant: TenantIdentity;
  let token: string;
  beforeEach(async () => {
    ({ tenant, token } = await newTenant());
    network.state.target = genuine.port;
    for (const s of [genuine, impostor, impostorTls]) Object.assign(s.seen, { logins: 0, subjects: [] });
  });

  it('a test of saved settings stops before AUTH at a certificate not confirmed, shows it and pins nothing', async () => {
    await save(token, trusted());
    network.state.target = impostor.port;
    const result = await testSettings(token);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ stage: 'tls', code: 'certificate_unconfirmed' });
    expect(result.error.certificate).toEqual(certificateOf(IMPOSTOR));
    expect(impostor.seen.logins).toBe(0);
    expect(await storedPin(tenant.id)).toBeNull();
    expect((await sendInvoice(tenant.id, tagOf())).error).toMatchObject({
      stage: 'tls',
      code: 'certificate_untrusted',
    });
    expect(impostor.seen.logins).toBe(0);
  });

  it('a typed password is not sent to a certificate not confirmed either (STARTTLS and implicit TLS)', async () => {
    network.state.target = impostor.port;
    const starttls = await testSettings(token, trusted());
    network.state.target = impostorTls.port;
    const implicit = await testSettings(token, trusted({ security: 'tls' }));
    for (const result of [starttls, implicit]) {
      expect(result).toMatchObject({ ok: false, error: { stage: 'tls', code: 'certificate_unconfirmed' } });
      expect(!result.ok && result.error.certificate?.sha256).toBe(IMPOSTOR);
    }
    expect(impostor.seen.logins + impostorTls.seen.logins).toBe(0);
  });

  it('the pin is set by confirming the fingerprint with the password, and invoices then go to that certificate only', async () => {
    await save(token, trusted());
    // Confirming the certificate a test showed needs the password again; nothing connects before.
    const refused = await call('POST', '/v1/mail-server/test', {
      token,
      body: storedPassword({ trustedCertificateSha256: GENUINE }),
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ path: 'auth.password', code: 'password_required_for_new_certificate' }),
    ]);
    const confirmed = await testSettings(token, trusted({ trustedCertificateSha256: GENUINE }));
    expect(confirmed.ok, JSON.stringify(confirmed)).toBe(true);
    expect(await storedPin(tenant.id)).toBeNull(); // a test pins nothing; the save does
    const saved = await save(token, trusted({ trustedCertificateSha256: GENUINE.match(/../g)!.join(':') }));
    expect(saved.settings?.trustedCertificateSha256).toBe(GENUINE);
    expect(await storedPin(tenant.id)).toBe(GENUINE);
    // A save that keeps the password and the pin keeps both.
    await save(token, storedPassword({ from: { address: 'neu@kunde-node.example.com', name: 'Neu' } }));
    expect(await storedPin(tenant.id)).toBe(GENUINE);

    const tag = tagOf();
    expect(await sendInvoice(tenant.id, tag)).toMatchObject({ status: 'sent', route: 'tenant' });
    expect(genuine.seen.subjects).toContain(`Rechnung ${tag}`);

    network.state.target = impostor.port;
    expect((await sendInvoice(tenant.id, tagOf())).error).toMatchObject({
      stage: 'tls',
      code: 'certificate_pin_mismatch',
    });
    const retest = await testSettings(token);
    expect(retest).toMatchObject({ ok: false, error: { stage: 'tls', code: 'certificate_pin_mismatch' } });
    expect(!retest.ok && retest.error.certificate).toEqual(certificateOf(IMPOSTOR));
    expect(impostor.seen.logins).toBe(0);
    expect(await storedPin(tenant.id)).toBe(GENUINE);
  });

  it('the stored password never goes to another certificate than the pinned one: a new pin needs it again', async () => {
    await save(token, trusted({ trustedCertificateSha256: GENUINE }));
    network.state.target = impostor.port;
    for (const [method, path] of [
      ['POST', '/v1/mail-server/test'],
      ['PUT', '/v1/mail-server'],
    ] as const) {
      const res = await call(method, path, { token, body: storedPassword({ trustedCertificateSha256: IMPOSTOR }) });
      expect(res.status, path).toBe(422);
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(
        'password_required_for_new_certificate',
      );
    }
    expect(impostor.seen.logins).toBe(0);
    expect(await storedPin(tenant.id)).toBe(GENUINE);
    // With the password typed again, the tenant may pin another certificate.
    await save(token, trusted({ trustedCertificateSha256: IMPOSTOR }));
    expect(await storedPin(tenant.id)).toBe(IMPOSTOR);
  });
});
