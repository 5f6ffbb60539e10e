import { describe, expect, test } from 'vitest';
import type { DiscoverCandidate, MailServerResponse } from '../../contract/index.ts';
import { type Draft, EMPTY_DRAFT, startAddress, withCandidate } from '../../components/mail-server-settings/draft.ts';

const m365: DiscoverCandidate = {
  host: 'smtp.office365.com',
  port: 587,
  security: 'starttls',
  auth: ['oauth2', 'password'],
  oauthProvider: 'microsoft',
  username: 'anna@firma.at',
  source: 'mx',
};
const own: DiscoverCandidate = {
  host: 'mail.firma.at',
  port: 465,
  security: 'tls',
  auth: ['password'],
  username: 'anna',
  source: 'autoconfig',
};
const typed: Draft = { ...EMPTY_DRAFT, password: 'secret', fromName: 'Firma', fromAddress: 'rechnung@firma.at' };

describe('withCandidate: a found server as the form takes it', () => {
  test('host, port, encryption and user name filled in; what the tenant typed besides stays', () => {
    expect(withCandidate(typed, own, [])).toEqual({
      ...typed,
      host: 'mail.firma.at',
      port: '465',
      security: 'tls',
      authMethod: 'plain',
      username: 'anna',
    });
  });

  test("the provider's sign-in is chosen where the API offers that provider, else a password", () => {
    expect(withCandidate(typed, m365, ['google', 'microsoft']).authMethod).toBe('microsoft');
    expect(withCandidate(typed, m365, ['google']).authMethod).toBe('plain');
    // A provider's host that names no sign-in (or offers only passwords) is a password login.
    expect(withCandidate(typed, { ...m365, auth: ['password'] }, ['microsoft']).authMethod).toBe('plain');
    expect(withCandidate(typed, { ...m365, oauthProvider: undefined }, ['microsoft']).authMethod).toBe('plain');
  });

  test('a password method chosen before stays; a sign-in or none chosen before becomes PLAIN', () => {
    expect(withCandidate({ ...typed, authMethod: 'cram-md5' }, own, []).authMethod).toBe('cram-md5');
    expect(withCandidate({ ...typed, authMethod: 'google' }, own, ['google']).authMethod).toBe('plain');
    expect(withCandidate({ ...typed, authMethod: 'none' }, own, []).authMethod).toBe('plain');
  });

  test('a server that takes no login gets none', () => {
    expect(withCandidate(typed, { ...own, auth: [] }, []).authMethod).toBe('none');
  });

  test('a certificate trusted for the same host stays, for another host it goes', () => {
    const pinned = { ...typed, host: 'mail.firma.at', trustedCertificateSha256: 'ab'.repeat(32) };
    expect(withCandidate(pinned, own, []).trustedCertificateSha256).toBe('ab'.repeat(32));
    expect(withCandidate(pinned, m365, []).trustedCertificateSha256).toBe('');
  });
});

describe('startAddress: the address to find settings for at first', () => {
  const response = (effective: MailServerResponse['effective']) => ({ effective }) as MailServerResponse;

  test("the tenant route's sender (the saved override, else the tenant's own address)", () => {
    const effective = {
      route: 'tenant',
      from: { address: 'rechnung@firma.at', name: 'F' },
      replyTo: 'anna@firma.at',
    } as const;
    expect(startAddress(response(effective))).toBe('rechnung@firma.at');
  });

  test("on the system route the tenant's own address, not the system's sender", () => {
    const effective = {
      route: 'system',
      from: { address: 'system@relay.example', name: 'F' },
      replyTo: 'anna@firma.at',
    } as const;
    expect(startAddress(response(effective))).toBe('anna@firma.at');
  });
});
