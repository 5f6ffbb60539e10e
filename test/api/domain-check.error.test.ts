// The sender-domain check's refusals, a resolver that never answers, and the system route with the
// operator's SYSTEM_SPF_IP / SYSTEM_SPF_INCLUDE (the app called with other bindings).
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { defaultDeps } from '../../api/wiring.ts';
import type { DomainCheckResult, Problem } from '../../contract/index.ts';
import { call, clientFor, newTenant, tokenFor, validSettings } from './helpers.ts';

const app = createApp(defaultDeps('workers'));

/** The check of a tenant without a server of its own (the system route), under other bindings. */
async function systemCheck(vars: Partial<Bindings>, query = ''): Promise<{ status: number; body: DomainCheckResult }> {
  const token = await tokenFor(newTenant());
  const res = await app.request(
    `/v1/mail-server/domain-check${query}`,
    { headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' } },
    { ...env, ...vars },
  );
  return { status: res.status, body: await res.json() };
}

describe('GET /v1/mail-server/domain-check: refusals', () => {
  it('answers 401 without a tenant token', async () => {
    const res = await call('GET', '/v1/mail-server/domain-check');
    expect(res.status).toBe(401);
  });

  it('answers 422 with a field error for an address that is not an e-mail address', async () => {
    const api = await clientFor();
    for (const address of ['not-an-address', '', 'a@b@c', 'chef@firma\r\n.test']) {
      const res = await api.get(`/v1/mail-server/domain-check?address=${encodeURIComponent(address)}`);
      expect(res.status).toBe(422);
      const problem = (await res.json()) as Problem;
      expect(problem.errors).toEqual([{ path: 'address', code: 'email_invalid', message: expect.any(String) }]);
    }
  });
});

describe('GET /v1/mail-server/domain-check when DNS fails', () => {
  it('answers "could not check" with verdict warning when the resolver never answers, within the time box', async () => {
    const api = await clientFor();
    await api.put('/v1/mail-server', {
      ...validSettings,
      host: 'smtp.office365.com',
      from: { address: 'a@m365-firma.test', name: null },
    });
    const token = api.token;
    const res = await app.request(
      '/v1/mail-server/domain-check',
      { headers: { authorization: `Bearer ${token}` } },
      { ...env, DNS_RESOLVER_URL: `${inject('hostileDohUrl')}/silent` },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as DomainCheckResult;
    expect(body).toMatchObject({
      domain: 'm365-firma.test',
      spf: { result: null },
      dmarc: { result: 'temperror', aligned: null },
      dkim: { selectorsFound: [] },
      verdict: 'warning',
    });
    expect(body.findings.map((f) => f.code)).toEqual(['dns_unavailable']);
    expect(body.findings[0]!.message).toContain('nicht abgefragt werden');
    // The resolver never answers: that an answer came at all is the lookups' own bound (2 s each, 4 s in all).
  });

  it('answers "could not check" for a resolver that answers wrongly (pointer loop)', async () => {
    const { status, body } = await systemCheck({ DNS_RESOLVER_URL: `${inject('hostileDohUrl')}/pointer-loop` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ verdict: 'warning', findings: [{ code: 'dns_unavailable', severity: 'warning' }] });
  });

  it('answers "could not check" when DNS_RESOLVER_URL is not a usable resolver', async () => {
    const { status, body } = await systemCheck({ DNS_RESOLVER_URL: 'http://resolver.example/dns-query' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ verdict: 'warning', findings: [{ code: 'dns_unavailable' }] });
  });
});

describe('GET /v1/mail-server/domain-check on the system route', () => {
  it('says the relay was not checked when neither SYSTEM_SPF_* nor SYSTEM_SMTP_URL tell where it sends from', async () => {
    const { body } = await systemCheck({ SYSTEM_FROM: 'versand@relay-ok.test', SYSTEM_SMTP_URL: '' });
    expect(body).toMatchObject({ spf: { result: null }, verdict: 'warning' });
    expect(body.findings.map((f) => f.code)).toEqual(['server_address_unknown']);
  });

  it('checks the system sender with SYSTEM_SPF_IP, whatever the draft address', async () => {
    const { body } = await systemCheck(
      { SYSTEM_FROM: 'versand@relay-ok.test', SYSTEM_SPF_IP: '198.51.100.7' },
      '?address=chef@spf-missing.test',
    );
    expect(body).toMatchObject({
      address: 'versand@relay-ok.test',
      domain: 'relay-ok.test',
      route: 'system',
      spf: { result: 'pass', record: 'v=spf1 ip4:198.51.100.0/24 -all' },
      dmarc: { result: 'pass', policy: 'reject', aligned: true },
      verdict: 'ok',
      findings: [],
    });
    expect(body.spf.detail).toBe('May the system mail server send for relay-ok.test from 198.51.100.7?');
  });

  it('checks the system sender with SYSTEM_SPF_INCLUDE', async () => {
    const { body } = await systemCheck({
      SYSTEM_FROM: 'versand@relay-inc.test',
      SYSTEM_SPF_INCLUDE: '_spf.relay-inc.test',
    });
    expect(body).toMatchObject({ spf: { result: 'pass' }, verdict: 'ok' });
  });

  it("names the operator's include when the system sender's domain does not authorize it", async () => {
    const { body } = await systemCheck({
      SYSTEM_FROM: 'versand@relay-ok.test',
      SYSTEM_SPF_INCLUDE: '_spf.relay-inc.test',
    });
    expect(body).toMatchObject({ spf: { result: 'fail' }, dmarc: { result: 'fail' }, verdict: 'problem' });
    expect(body.findings.find((f) => f.code === 'spf_not_authorizing')?.message).toContain(
      'Add `include:_spf.relay-inc.test` to the SPF record of relay-ok.test',
    );
  });

  it('names an unusable SYSTEM_SPF_IP or SYSTEM_SPF_INCLUDE in /healthz and checks without it', async () => {
    const vars = {
      SYSTEM_FROM: 'versand@relay-ok.test',
      SYSTEM_SPF_IP: '198.51.100.300',
      SYSTEM_SPF_INCLUDE: 'not a name',
    };
    const health = await app.request('/healthz', {}, { ...env, ...vars });
    expect(((await health.json()) as { incomplete: string[] }).incomplete).toEqual(
      expect.arrayContaining(['SYSTEM_SPF_IP (invalid)', 'SYSTEM_SPF_INCLUDE (invalid)']),
    );
    // The relay host of SYSTEM_SMTP_URL (127.0.0.1) instead: not in relay-ok.test's record.
    const { body } = await systemCheck(vars);
    expect(body).toMatchObject({ spf: { result: 'fail' }, verdict: 'problem' });
  });
});
