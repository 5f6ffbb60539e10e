import { describe, expect, test } from 'vitest';
import { toCandidates } from '../../api/discover/candidates.ts';
import { parseClientConfig } from '../../api/discover/client-config.ts';
import { ispdbByDomain, ispdbByMxHost } from '../../api/discover/ispdb.ts';

const config = (servers: string) => `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="example.com"><domain>Example.COM</domain>
<displayName>Example &amp; Co</displayName>${servers}</emailProvider></clientConfig>`;

const smtp = (inner: string, type = 'smtp') => `<outgoingServer type="${type}">${inner}</outgoingServer>`;

describe('parseClientConfig', () => {
  test('reads the SMTP servers in order, maps socket types and methods, keeps the first of duplicate methods', () => {
    const xml = config(
      smtp(
        '<hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType>' +
          '<authentication>password-encrypted</authentication><authentication>OAuth2</authentication>' +
          '<authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>',
      ) +
        smtp(
          '<hostname>mail.%EMAILDOMAIN%</hostname><port>587</port><socketType>STARTTLS</socketType>' +
            '<authentication>none</authentication><username>%EMAILLOCALPART%</username>',
        ) +
        smtp('<hostname>plain.example.com</hostname><port>25</port><socketType>plain</socketType>'),
    );
    expect(parseClientConfig(xml)).toEqual({
      ok: true,
      providers: [
        {
          id: 'example.com',
          name: 'Example & Co',
          domains: ['example.com'],
          servers: [
            ['smtp.example.com', 465, 'tls', ['password', 'oauth2'], '%EMAILADDRESS%'],
            ['mail.%EMAILDOMAIN%', 587, 'starttls', [], '%EMAILLOCALPART%'],
            ['plain.example.com', 25, 'none', [], ''],
          ],
        },
      ],
    });
  });

  test.each([
    ['another type', smtp('<hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>', 'imap')],
    ['no host', smtp('<port>465</port><socketType>SSL</socketType>')],
    ['a port out of range', smtp('<hostname>a.example.com</hostname><port>70000</port><socketType>SSL</socketType>')],
    ['a port that is no number', smtp('<hostname>a.example.com</hostname><port>x</port><socketType>SSL</socketType>')],
    ['an unknown socket type', smtp('<hostname>a.example.com</hostname><port>465</port><socketType>TLS1</socketType>')],
    [
      'only unknown methods',
      smtp(
        '<hostname>a.example.com</hostname><port>465</port><socketType>SSL</socketType><authentication>NTLM</authentication>',
      ),
    ],
  ])('skips a server with %s', (_, server) => {
    const result = parseClientConfig(config(server));
    expect(result.ok && result.providers[0]!.servers).toEqual([]);
  });

  test.each([
    ['a DOCTYPE (entities could expand)', '<!DOCTYPE x [<!ENTITY a "aaaa">]><clientConfig/>', 'doctype'],
    ['HTML that is not XML', '<html><body><p>Not found<br></body></html>', 'not_xml'],
    ['JSON', '{"clientConfig": {}}', 'not_xml'],
    ['another root element', '<?xml version="1.0"?><config><x/></config>', 'not_client_config'],
  ])('refuses %s with a reason', (_, xml, reason) => {
    expect(parseClientConfig(xml)).toEqual({ ok: false, reason });
  });
});

describe('toCandidates', () => {
  test('fills the placeholders from the address, the domain in its ASCII form for host names', () => {
    const servers = [['SMTP.%EMAILDOMAIN%', 587, 'starttls', ['password'], '%EMAILLOCALPART%.%EMAILDOMAIN%']] as const;
    expect(toCandidates(servers, 'anna.berg@Müller.example', 'autoconfig')).toEqual([
      {
        host: 'smtp.xn--mller-kva.example',
        port: 587,
        security: 'starttls',
        auth: ['password'],
        username: 'anna.berg.xn--mller-kva.example',
        source: 'autoconfig',
      },
    ]);
    expect(toCandidates([['a.example', 465, 'tls', [], '%EMAILADDRESS%']], 'x@firma.at', 'ispdb')[0]!.username).toBe(
      'x@firma.at',
    );
  });

  test('drops a server whose host is no host name once filled in', () => {
    expect(toCandidates([['%UNKNOWN%.example', 465, 'tls', [], '']], 'x@firma.at', 'ispdb')).toEqual([]);
  });

  test('names the sign-in provider only for its own submission server when OAuth2 is offered', () => {
    const [office, gmailNoOAuth, lookalike] = toCandidates(
      [
        ['smtp.office365.com', 587, 'starttls', ['oauth2'], '%EMAILADDRESS%'],
        ['smtp.gmail.com', 465, 'tls', ['password'], '%EMAILADDRESS%'],
        ['smtp.office365.com.evil.example', 587, 'starttls', ['oauth2'], '%EMAILADDRESS%'],
      ],
      'x@firma.at',
      'autoconfig',
    );
    expect(office!.oauthProvider).toBe('microsoft');
    expect(gmailNoOAuth).not.toHaveProperty('oauthProvider');
    expect(lookalike).not.toHaveProperty('oauthProvider');
  });
});

describe('ispdbByDomain', () => {
  test('Gmail: Google Mail, smtp.gmail.com with OAuth2 (Google) before the password', () => {
    expect(ispdbByDomain('GMAIL.com', 'max@gmail.com')).toEqual({
      provider: { id: 'googlemail.com', name: 'Google Mail' },
      candidates: [
        {
          host: 'smtp.gmail.com',
          port: 465,
          security: 'tls',
          auth: ['oauth2', 'password'],
          oauthProvider: 'google',
          username: 'max@gmail.com',
          source: 'ispdb',
        },
      ],
    });
  });

  test('a provider with several servers keeps their order, and user names from the local part', () => {
    const match = ispdbByDomain('bol.com.br', 'joao@bol.com.br');
    expect(match!.candidates.map((c) => [c.host, c.port, c.username])).toEqual([
      ['smtps.bol.com.br', 465, 'joao'],
      ['smtps.bol.com.br', 587, 'joao'],
    ]);
  });

  test('a host named by %EMAILDOMAIN% becomes the address domain', () => {
    expect(ispdbByDomain('mail.ee', 'mari@Mail.EE')!.candidates[0]!.host).toBe('mail.ee');
  });

  test.each(['firma.at', 'mail.gmail.com', 'not a domain', ''])('%s: not listed, null', (domain) => {
    expect(ispdbByDomain(domain, `x@${domain}`)).toBeNull();
  });
});

describe('ispdbByMxHost', () => {
  const provider = (mx: string) => ispdbByMxHost(mx, 'office@firma.at')?.provider.id ?? null;

  test.each([
    ['firma-at.mail.protection.outlook.com', 'office365.com'], // Microsoft 365, not Outlook.com
    ['FIRMA-AT.mail.protection.outlook.com.', 'office365.com'],
    ['eur.olc.protection.outlook.com', 'hotmail.com'],
    ['aspmx.l.google.com', 'googlemail.com'],
    ['alt1.aspmx.l.google.com', 'googlemail.com'],
    ['smtp.google.com', 'googlemail.com'],
    ['mx01.hetzner.de', 'hetzner.de'], // a provider's id that is not in its domain list
    ['mx.cesky-hosting.cz', 'thinline.cz'], // the domain of that provider's SMTP hosts, and no other's
    ['mx.wind.ne.jp', null], // SMTP hosts many providers share: no guess
    ['mx.firma.at', null],
    ['localhost', null],
  ])('%s → %s', (mx, id) => {
    expect(provider(mx)).toBe(id);
  });

  test('Microsoft 365 by MX: the candidate is for the address, signed in with Microsoft', () => {
    expect(ispdbByMxHost('firma-at.mail.protection.outlook.com', 'office@firma.at')!.candidates).toEqual([
      {
        host: 'smtp.office365.com',
        port: 587,
        security: 'starttls',
        auth: ['oauth2'],
        oauthProvider: 'microsoft',
        username: 'office@firma.at',
        source: 'ispdb',
      },
    ]);
  });
});
