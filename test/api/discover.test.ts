// GET /v1/mail-server/discover inside workerd, against the local DNS service (test/fixtures/dns-zones.ts),
// the local autoconfig servers and the SMTP fixtures. Made-up names reach the local servers through
// DISCOVER_CONNECT_TO (workerd resolves no made-up names); the Worker's own env otherwise.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, test } from 'vitest';
import type { DiscoverResult } from '../../contract/index.ts';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { BASE, clientFor, newTenant, tokenFor } from './helpers.ts';

const app = createApp(defaultDeps('workers'));
const { autoconfigPort, wellKnownPort } = inject('autoconfig');
const { ports } = inject('smtpFixtures');

/** The probe's guesses onto the fixtures: implicit TLS and STARTTLS on smtp.<domain>, nothing on mail.<domain>. */
const probeMap = (domain: string) => [
  `smtp.${domain}:465=localhost:${ports.tls}`,
  `smtp.${domain}:587=localhost:${ports.starttls}`,
  `mail.${domain}:465=localhost:${ports.refused}`,
  `mail.${domain}:587=localhost:${ports.refused}`,
];
const CONNECT_TO = [
  `autoconfig.selfhosted.test:443=localhost:${autoconfigPort}`,
  `selfhosted.test:443=localhost:${wellKnownPort}`,
  ...probeMap('probe-only.test'),
  ...probeMap('probe-limit.test'),
].join(',');
const testEnv = { ...env, DISCOVER_CONNECT_TO: CONNECT_TO };

async function discover(address: string, options: { token?: string; env?: object; lang?: string } = {}) {
  const token = options.token ?? (await tokenFor(newTenant()));
  const headers = { authorization: `Bearer ${token}`, 'accept-language': options.lang ?? 'en' };
  const url = `${BASE}/v1/mail-server/discover?address=${encodeURIComponent(address)}`;
  return app.request(url, { headers }, options.env ?? testEnv);
}

async function discovered(address: string, options: Parameters<typeof discover>[1] = {}): Promise<DiscoverResult> {
  const res = await discover(address, options);
  expect(res.status).toBe(200);
  return res.json();
}

const steps = (result: DiscoverResult) => result.lookups.map((l) => l.step);

describe('GET /v1/mail-server/discover', () => {
  test('a domain in the ISPDB: its servers, without a single DNS lookup', async () => {
    const result = await discovered('Max.Muster@posteo.de');
    expect(result.domain).toBe('posteo.de');
    expect(result.provider).toEqual({ id: 'posteo.de', name: 'Posteo' });
    expect(result.candidates[0]).toMatchObject({
      host: 'posteo.de',
      port: 465,
      security: 'tls',
      auth: ['password'],
      username: 'Max.Muster@posteo.de',
      source: 'ispdb',
    });
    expect(steps(result)).toEqual(['ispdb']);
  });

  test('an MX on Microsoft 365: its submission server, with sign-in through Microsoft', async () => {
    const result = await discovered('rechnung@m365-firma.test');
    expect(result.provider?.name).toMatch(/Microsoft 365/);
    expect(result.candidates[0]).toMatchObject({
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls',
      oauthProvider: 'microsoft',
      username: 'rechnung@m365-firma.test',
      source: 'mx',
    });
    expect(result.candidates[0]!.auth).toContain('oauth2');
    expect(result.lookups).toContainEqual(expect.objectContaining({ step: 'mx', ok: true }));
  });

  test('an MX at Google: smtp.gmail.com with sign-in through Google; a German note', async () => {
    const result = await discovered('buero@google-firma.test', { lang: 'de' });
    expect(result.candidates[0]).toMatchObject({ host: 'smtp.gmail.com', oauthProvider: 'google', source: 'mx' });
    expect(result.candidates[0]!.note).toBe(
      'Aus dem MX-Eintrag Ihrer Domain abgeleitet. Bitte prüfen Sie die Angaben.',
    );
  });

  test('a provider this deployment cannot sign in with: its server, no oauthProvider, a note saying so', async () => {
    const withoutMicrosoft = {
      ...testEnv,
      OAUTH_MICROSOFT_CLIENT_ID: undefined,
      OAUTH_MICROSOFT_CLIENT_SECRET: undefined,
    };
    const result = await discovered('rechnung@m365-firma.test', { env: withoutMicrosoft });
    expect(result.candidates[0]).toMatchObject({ host: 'smtp.office365.com', auth: ['oauth2'] });
    expect(result.candidates[0]).not.toHaveProperty('oauthProvider');
    expect(result.candidates[0]!.note).toMatch(/Signing in with this provider is not set up here/);
  });

  test('only SRV records: implicit TLS (_submissions) before STARTTLS (_submission)', async () => {
    const result = await discovered('info@srv-only.test');
    expect(result.provider).toBeNull();
    expect(result.candidates).toEqual([
      expect.objectContaining({ host: 'mail.srv-only.test', port: 465, security: 'tls', source: 'srv' }),
      expect.objectContaining({ host: 'mail.srv-only.test', port: 587, security: 'starttls', source: 'srv' }),
    ]);
    expect(result.candidates[0]!.username).toBe('info@srv-only.test');
  });

  test("the domain's own autoconfig, before its MX", async () => {
    const result = await discovered('valid@selfhosted.test');
    expect(result.candidates.map((c) => [c.host, c.port, c.security, c.username, c.source])).toEqual([
      ['smtp.selfhosted.test', 465, 'tls', 'valid@selfhosted.test', 'autoconfig'],
      ['mail.selfhosted.test', 587, 'starttls', 'valid', 'autoconfig'],
    ]);
  });

  test('nothing published: the probe finds the servers that answer, and counts as a test', async () => {
    const api = await clientFor();
    const result = await discovered('kontakt@probe-only.test', { token: api.token });
    expect(result.candidates).toEqual([
      expect.objectContaining({ host: 'smtp.probe-only.test', port: 465, security: 'tls', source: 'probe' }),
      expect.objectContaining({ host: 'smtp.probe-only.test', port: 587, security: 'starttls', source: 'probe' }),
    ]);
    expect(result.lookups).toContainEqual(
      expect.objectContaining({ step: 'probe mail.probe-only.test:465', ok: false }),
    );
    const deliveries = (await (await api.get('/v1/deliveries')).json()) as { deliveries: { kind: string }[] };
    expect(deliveries.deliveries).toEqual([expect.objectContaining({ kind: 'test', status: 'sent' })]);
  });

  test('the probe is refused once the test limit is used up (429), and leaves no row', async () => {
    const api = await clientFor();
    for (let i = 0; i < 5; i++) expect((await api.post('/v1/mail-server/test', { ...plainDraft() })).status).toBe(200);
    const res = await discover('kontakt@probe-limit.test', { token: api.token });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const deliveries = (await (await api.get('/v1/deliveries')).json()) as { deliveries: unknown[] };
    expect(deliveries.deliveries).toHaveLength(5);
  });

  test('a second ask for a domain is answered from the cache, for this address', async () => {
    await discovered('a@srv-only.test');
    const again = await discovered('b@srv-only.test');
    expect(steps(again)).toEqual(['cache']);
    expect(again.candidates[0]!.username).toBe('b@srv-only.test');
  });

  test('port 25 is never offered; SRV target "." means none', async () => {
    const result = await discovered('x@port25.test');
    expect(result.candidates).toEqual([]);
    expect(result.lookups.filter((l) => l.step.startsWith('srv')).every((l) => l.ok)).toBe(true);
  });

  test('a resolver that never answers: 200, the DNS steps ok:false within their time box', async () => {
    const silent = { ...testEnv, DNS_RESOLVER_URL: `${inject('hostileDohUrl')}/silent` };
    const result = await discovered('x@never-answered.test', { env: silent });
    expect(result.candidates).toEqual([]);
    const dns = result.lookups.filter((l) => l.step === 'mx' || l.step.startsWith('srv') || l.step === 'probe dns');
    expect(dns.map((l) => l.step)).toEqual(['mx', 'srv _submissions._tcp', 'srv _submission._tcp', 'probe dns']);
    for (const lookup of dns) {
      expect(lookup.ok).toBe(false);
      expect(lookup.ms).toBeLessThan(2_500);
    }
  });

  test('an address that is not one: 422 with a field error', async () => {
    for (const address of ['not-an-address', 'a@b', '']) {
      const res = await discover(address);
      expect(res.status).toBe(422);
      const body = (await res.json()) as { errors: { path: string; code: string }[] };
      expect(body.errors).toEqual([
        expect.objectContaining({ path: 'address', code: address ? 'email_invalid' : 'required' }),
      ]);
    }
  });

  test('without a token: 401', async () => {
    const res = await app.request(`${BASE}/v1/mail-server/discover?address=a%40posteo.de`, {}, testEnv);
    expect(res.status).toBe(401);
  });
});

/** A draft to the fixtures' plain server: a real test send, to use up the limit. */
function plainDraft() {
  return { host: '127.0.0.1', port: ports.plain, security: 'none', auth: { method: 'none' } };
}
