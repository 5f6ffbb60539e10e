// A domain's own autoconfig, fetched from real local HTTPS servers (test/support/autoconfig-server.ts)
// inside workerd. The made-up names are mapped onto the servers' ports with `connectTo`.
import { describe, expect, inject, test } from 'vitest';
import { type AutoconfigOptions, fetchAutoconfig } from '../../api/discover/autoconfig.ts';

const { autoconfigPort, wellKnownPort, httpPort, requestsUrl } = inject('autoconfig');
const SUBDOMAIN_URL = (address: string) =>
  `https://autoconfig.firma.test/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`;
const WELL_KNOWN_URL = 'https://firma.test/.well-known/autoconfig/mail/config-v1.1.xml';

/** `autoconfig.firma.test` and `firma.test` onto the given ports; `elsewhere.test` (redirect targets) too. */
const options = (
  ports: { sub: number; domain: number; elsewhere?: number },
  extra: Partial<AutoconfigOptions> = {},
) => ({
  allowPrivateHosts: true,
  connectTo: {
    'autoconfig.firma.test': `localhost:${ports.sub}`,
    'firma.test': `localhost:${ports.domain}`,
    'elsewhere.test': `localhost:${ports.elsewhere ?? httpPort}`,
  },
  ...extra,
});
/** The autoconfig host answers by local part; the domain itself has no well-known config (404). */
const onlySubdomain = options({ sub: autoconfigPort, domain: autoconfigPort });

const plainHttpRequests = async () =>
  ((await (await fetch(requestsUrl)).json()) as { server: string }[]).filter((r) => r.server === 'http').length;

describe('fetchAutoconfig', () => {
  test('the autoconfig host first: its SMTP servers in order, placeholders filled in, the provider named', async () => {
    const both = options({ sub: autoconfigPort, domain: wellKnownPort });
    expect(await fetchAutoconfig('firma.test', 'valid@firma.test', both)).toEqual({
      ok: true,
      url: SUBDOMAIN_URL('valid@firma.test'),
      provider: { id: 'firma.test', name: 'Müller & Töchter' },
      candidates: [
        {
          host: 'smtp.firma.test',
          port: 465,
          security: 'tls',
          auth: ['password'],
          username: 'valid@firma.test',
          source: 'autoconfig',
        },
        {
          host: 'mail.firma.test',
          port: 587,
          security: 'starttls',
          auth: ['password'],
          username: 'valid',
          source: 'autoconfig',
        },
      ],
    });
  });

  test('then the domain’s well-known path, when the autoconfig host has nothing', async () => {
    const result = await fetchAutoconfig(
      'firma.test',
      'anna@firma.test',
      options({ sub: autoconfigPort, domain: wellKnownPort }),
    );
    expect(result.ok && [result.url, result.candidates[1]!.username]).toEqual([WELL_KNOWN_URL, 'anna']);
  });

  test('follows a redirect to https', async () => {
    const result = await fetchAutoconfig(
      'firma.test',
      'tohttps@firma.test',
      options({ sub: autoconfigPort, domain: autoconfigPort, elsewhere: wellKnownPort }),
    );
    expect(result.ok && result.candidates.map((c) => c.host)).toEqual(['smtp.firma.test', 'mail.firma.test']);
  });

  test.each([
    ['a body over the byte cap', 'oversize', 'too_large'],
    ['a body declared over the byte cap, without waiting for it', 'declared', 'too_large'],
    ['an HTML page', 'notxml', 'not_xml'],
  ])('refuses %s', async (_, local, reason) => {
    expect(await fetchAutoconfig('firma.test', `${local}@firma.test`, onlySubdomain)).toEqual({
      ok: false,
      reason: 'http_status',
      attempts: [
        { url: SUBDOMAIN_URL(`${local}@firma.test`), reason },
        { url: WELL_KNOWN_URL, reason: 'http_status' },
      ],
    });
  });

  test('gives up on a server that never answers', async () => {
    const result = await fetchAutoconfig('firma.test', 'silent@firma.test', { ...onlySubdomain, timeoutMs: 300 });
    expect(!result.ok && result.attempts.map((a) => a.reason)).toEqual(['timeout', 'http_status']);
  });

  test('does not follow a redirect to http', async () => {
    const before = await plainHttpRequests();
    const result = await fetchAutoconfig('firma.test', 'tohttp@firma.test', onlySubdomain);
    expect(!result.ok && result.attempts[0]!.reason).toBe('redirect_refused');
    expect(await plainHttpRequests()).toBe(before);
  });

  test('speaks only https: a server with the config over plain http is not used', async () => {
    const before = await plainHttpRequests();
    const result = await fetchAutoconfig(
      'firma.test',
      'valid@firma.test',
      options({ sub: httpPort, domain: httpPort }),
    );
    expect(!result.ok && result.attempts.map((a) => a.reason)).toEqual(['unreachable', 'unreachable']);
    expect(await plainHttpRequests()).toBe(before);
  });

  test('names a domain that is none', async () => {
    expect(await fetchAutoconfig('not a domain', 'x@firma.test', onlySubdomain)).toEqual({
      ok: false,
      reason: 'not_a_domain',
      attempts: [],
    });
  });

  test('refuses loopback names unless private hosts are allowed, before any request', async () => {
    const result = await fetchAutoconfig('localhost', 'valid@localhost', {
      ...onlySubdomain,
      allowPrivateHosts: false,
    });
    expect(!result.ok && result.attempts.map((a) => a.reason)).toEqual(['private_host', 'private_host']);
  });
});
