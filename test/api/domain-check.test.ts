// The sender-domain check against the local DNS service (test/fixtures/dns-zones*.ts): each finding
// from a zone that produces it, the verdicts, and the providers' pass cases.
import { describe, expect, it } from 'vitest';
import type { DomainCheckResult } from '../../contract/index.ts';
import { clientFor, validSettings } from './helpers.ts';

/** A tenant whose saved server is `host`, sending as `from`; its check as the API answers it. */
async function checkFor(host: string, from: string, query = '', lang = 'de'): Promise<DomainCheckResult> {
  const api = await clientFor();
  const saved = await api.put('/v1/mail-server', { ...validSettings, host, from: { address: from, name: null } });
  expect(saved.status).toBe(200);
  const res = await api.get(`/v1/mail-server/domain-check${query}`, { headers: { 'accept-language': lang } });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return res.json();
}

const codes = (result: DomainCheckResult) => result.findings.map((f) => f.code);
const message = (result: DomainCheckResult, code: string) => result.findings.find((f) => f.code === code)?.message;

describe('GET /v1/mail-server/domain-check on the tenant route', () => {
  it('passes a Microsoft 365 domain sending through smtp.office365.com: SPF, DMARC reject aligned, DKIM selectors', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@m365-firma.test');
    expect(result).toEqual({
      address: 'rechnung@m365-firma.test',
      domain: 'm365-firma.test',
      route: 'tenant',
      spf: {
        result: 'pass',
        record: 'v=spf1 include:spf.protection.outlook.com -all',
        detail: expect.stringContaining('include:spf.protection.outlook.com'),
      },
      dmarc: { result: 'pass', policy: 'reject', record: 'v=DMARC1; p=reject', aligned: true },
      dkim: { selectorsFound: ['selector1', 'selector2'] },
      verdict: 'ok',
      findings: [],
    });
  });

  it('passes a Google domain (~all) and only hints that DMARC p=none protects nothing', async () => {
    const result = await checkFor('smtp.gmail.com', 'info@google-firma.test');
    expect(result).toMatchObject({
      spf: { result: 'pass', record: 'v=spf1 include:_spf.google.com ~all' },
      dmarc: { result: 'pass', policy: 'none', aligned: true },
      dkim: { selectorsFound: ['google'] },
      verdict: 'ok',
    });
    expect(result.findings).toEqual([
      { code: 'dmarc_policy_none', severity: 'info', message: expect.stringContaining('p=quarantine') },
    ]);
  });

  it('checks the address of a server of its own and says the sending address may differ', async () => {
    const result = await checkFor('smtp.own-server.test', 'buero@own-server.test');
    expect(result).toMatchObject({
      spf: { result: 'pass' },
      dmarc: { result: 'pass', policy: 'quarantine' },
      verdict: 'ok',
    });
    expect(result.spf.detail).toContain('192.0.2.50');
    expect(codes(result)).toEqual(['spf_checked_host_address']);
    expect(message(result, 'spf_checked_host_address')).toContain('192.0.2.50');
  });

  it("evaluates a record's mx mechanism through the MX and address lookups", async () => {
    const result = await checkFor('mail.selfhosted.test', 'info@selfhosted.test');
    expect(result).toMatchObject({ spf: { result: 'pass', record: 'v=spf1 mx -all' } });
  });

  it('finds a missing SPF record and tells which record to add; a missing DMARC record and DKIM too', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@spf-missing.test');
    expect(result).toMatchObject({
      spf: { result: 'none', record: null },
      dmarc: { result: 'none' },
      verdict: 'problem',
    });
    expect(codes(result)).toEqual(['spf_missing', 'dmarc_missing', 'dkim_selectors_missing']);
    expect(message(result, 'spf_missing')).toContain('`v=spf1 include:spf.protection.outlook.com -all`');
    expect(message(result, 'dmarc_missing')).toContain('_dmarc.spf-missing.test');
    expect(message(result, 'dkim_selectors_missing')).toContain('selector1._domainkey');
  });

  it('finds a record that does not authorize the server, with the include to add, in German and English', async () => {
    const de = await checkFor('smtp.office365.com', 'rechnung@spf-other.test');
    expect(de).toMatchObject({ spf: { result: 'fail' }, verdict: 'problem' });
    expect(message(de, 'spf_not_authorizing')).toContain(
      'Fügen Sie `include:spf.protection.outlook.com` zum SPF-Eintrag von spf-other.test hinzu',
    );
    const en = await checkFor('smtp.office365.com', 'rechnung@spf-other.test', '', 'en');
    expect(message(en, 'spf_not_authorizing')).toContain(
      'Add `include:spf.protection.outlook.com` to the SPF record of spf-other.test',
    );
  });

  it('finds a record that only softfails the server: a warning, not a problem', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@spf-softfail.test');
    expect(result).toMatchObject({ spf: { result: 'softfail' }, verdict: 'warning' });
    expect(codes(result)).toContain('spf_softfail_only');
    expect(message(result, 'spf_softfail_only')).toContain('include:spf.protection.outlook.com');
  });

  it('finds a permerror for a record that needs 11 lookups', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@spf-deep.test');
    expect(result).toMatchObject({
      spf: { result: 'permerror', record: 'v=spf1 include:l1.spf-deep.test -all' },
      verdict: 'problem',
    });
    expect(message(result, 'spf_permerror')).toContain('10');
  });

  it('finds a permerror for two SPF records and asks to merge them', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@spf-two.test', '', 'en');
    expect(result).toMatchObject({ spf: { result: 'permerror', record: null }, verdict: 'problem' });
    expect(message(result, 'spf_permerror')).toContain('Merge them into a single record');
  });

  it('finds DMARC p=reject that the route fails: SPF only authorizes Google', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@reject-firma.test');
    expect(result).toMatchObject({
      spf: { result: 'fail' },
      dmarc: { result: 'fail', policy: 'reject', aligned: false },
      verdict: 'problem',
    });
    expect(codes(result)).toEqual(expect.arrayContaining(['spf_not_authorizing', 'dmarc_reject_unaligned']));
    expect(message(result, 'dmarc_reject_unaligned')).toContain('abweisen');
  });

  it("takes the organizational domain's DMARC record, with its sp policy, for a subdomain", async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@billing.org-dmarc.test');
    expect(result.dmarc).toEqual({
      result: 'pass',
      policy: 'quarantine',
      record: 'v=DMARC1; p=reject; sp=quarantine',
      aligned: true,
    });
  });

  it('checks a draft address instead of the saved sender', async () => {
    const result = await checkFor('smtp.office365.com', 'rechnung@spf-missing.test', '?address=chef@m365-firma.test');
    expect(result).toMatchObject({ address: 'chef@m365-firma.test', domain: 'm365-firma.test', verdict: 'ok' });
  });

  it('says when the server has no address to check', async () => {
    const result = await checkFor('noaddress.own-server.test', 'buero@own-server.test');
    expect(result).toMatchObject({ spf: { result: null, record: 'v=spf1 ip4:192.0.2.50 -all' }, verdict: 'warning' });
    expect(codes(result)).toEqual(['server_address_unknown']);
  });
});
