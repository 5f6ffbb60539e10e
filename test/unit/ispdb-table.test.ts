import { describe, expect, test } from 'vitest';
import { ISPDB_TABLE } from '../../api/discover/ispdb-table.ts';
import { buildIspdbTable } from '../../scripts/build-ispdb.ts';

const providerOf = (domain: string) => ISPDB_TABLE.providers[ISPDB_TABLE.domains[domain]!]!;
const serversOf = (domain: string) => providerOf(domain)[2].map((i) => ISPDB_TABLE.servers[i]);

describe('the committed ISPDB table', () => {
  test('is exactly what scripts/build-ispdb.ts makes of vendor/ispdb', () => {
    expect(buildIspdbTable()).toEqual(ISPDB_TABLE);
  });

  test('Outlook.com and Microsoft 365: STARTTLS on 587, OAuth2 only, the address as user name', () => {
    expect(providerOf('outlook.com').slice(0, 2)).toEqual(['hotmail.com', 'Outlook.com (Microsoft)']);
    expect(serversOf('hotmail.de')).toEqual([['smtp-mail.outlook.com', 587, 'starttls', ['oauth2'], '%EMAILADDRESS%']]);
    expect(providerOf('office365.com').slice(0, 2)).toEqual(['office365.com', 'Microsoft 365']);
    expect(ISPDB_TABLE.domains['onmicrosoft.com']).toBe(ISPDB_TABLE.domains['office365.com']);
    expect(serversOf('mail.protection.outlook.com')).toEqual([
      ['smtp.office365.com', 587, 'starttls', ['oauth2'], '%EMAILADDRESS%'],
    ]);
  });

  test('Gmail and Googlemail: one provider, implicit TLS on 465, OAuth2 before the password', () => {
    expect(ISPDB_TABLE.domains['gmail.com']).toBe(ISPDB_TABLE.domains['googlemail.com']);
    expect(ISPDB_TABLE.domains['google.com']).toBe(ISPDB_TABLE.domains['gmail.com']);
    expect(providerOf('gmail.com').slice(0, 2)).toEqual(['googlemail.com', 'Google Mail']);
    expect(serversOf('gmail.com')).toEqual([['smtp.gmail.com', 465, 'tls', ['oauth2', 'password'], '%EMAILADDRESS%']]);
  });

  test('keeps the XML order of a provider with several servers, and decodes entities in names', () => {
    expect(providerOf('online.de')[1]).toBe('1&1');
    expect(serversOf('online.de')).toEqual([
      ['smtp.1und1.de', 465, 'tls', ['password'], '%EMAILADDRESS%'],
      ['smtp.1und1.de', 587, 'starttls', ['password'], '%EMAILADDRESS%'],
    ]);
  });
});
