// Zones for the local DNS service: the providers' real names (served here, never asked for
// outside) and the demo domains of `npm run dev`. Test zones: test/fixtures/dns-zones.ts.
import type { DnsZone } from './dns-service.ts';

/** A DKIM public key record (a key made for these zones; nothing signs with it). */
export const DKIM_1024 =
  'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBUkhOxXFY4V/8/zXKW1+QDmf9fIcCE6ZBoZ1BG8CM/45/iHznVKsim6CrMFhd/Z+4nsWJ0FwNaByz4ii1DYssTSGyjx8zf7TXIXZAc+iILfV5AqzchWzBlN704BvdsGfESUTU5TcSmVNNTZk+te0W14L4/4jYcyicIMQqVt6bUwIDAQAB';
/** Longer than one 255-byte TXT string, as Google's 2048-bit keys are. */
export const DKIM_2048 =
  'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvahNQKl8kkCcq+ZlXPCreS8UnrDHuiWtw3wwl1OcVDNm47BxfP2u75GmyqJFqFgexupJLvB+d9u8LqvHzzIePRYsJgJADkyzdsi7i2GJtKvADdPtySwaeOV9iLhe/uRROV8rw2A9moMg1Q6ieMx7XG4Akk2NfV4XOpzkccguA19lAi+wph1uprUAYWGA63CQujo6oTUQnDN+RmlMPHMGQ+KEv+YCc584AjsT45oke7d6eHpey9ekpsn24sJ9FwPo6HoCY/XwiBXcxdxDm9gJaZ2vflgqmQk9mWvhMR1+TjF6C6aD7O+TvG5RsH1LPsDVToQVuiXL7xXYIeB1ketfdQIDAQAB';

/** Microsoft 365's and Google's SPF records and submission hosts, as published (December 2026). */
export const PROVIDER_ZONES: DnsZone[] = [
  {
    zone: 'outlook.com',
    records: [
      {
        name: 'spf.protection.outlook.com',
        type: 'TXT',
        text: 'v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/50 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all',
      },
    ],
  },
  { zone: 'office365.com', records: [{ name: 'smtp.office365.com', type: 'A', address: '52.98.207.242' }] },
  {
    zone: 'google.com',
    records: [
      {
        name: '_spf.google.com',
        type: 'TXT',
        text: 'v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all',
      },
      {
        name: '_netblocks.google.com',
        type: 'TXT',
        text: 'v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all',
      },
      {
        name: '_netblocks2.google.com',
        type: 'TXT',
        text: 'v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all',
      },
      {
        name: '_netblocks3.google.com',
        type: 'TXT',
        text: 'v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all',
      },
      { name: 'aspmx.l.google.com', type: 'A', address: '142.250.102.26' },
      { name: 'alt1.aspmx.l.google.com', type: 'A', address: '142.250.153.26' },
      { name: 'gmail-smtp-msa.l.google.com', type: 'A', address: '142.250.27.108' },
    ],
  },
  { zone: 'gmail.com', records: [{ name: 'smtp.gmail.com', type: 'CNAME', target: 'gmail-smtp-msa.l.google.com' }] },
];

/** A domain on Microsoft 365, as its admin centre sets it up: MX, SPF include, DMARC, DKIM CNAMEs. */
export function microsoft365Domain(domain: string, tenant: string, dmarc: string): DnsZone[] {
  const label = domain.replaceAll('.', '-');
  const target = (selector: string) => `${selector}-${label}._domainkey.${tenant}.onmicrosoft.com`;
  return [
    {
      zone: domain,
      records: [
        { name: domain, type: 'MX', priority: 0, exchange: `${label}.mail.protection.outlook.com` },
        { name: domain, type: 'TXT', text: 'v=spf1 include:spf.protection.outlook.com -all' },
        { name: `_dmarc.${domain}`, type: 'TXT', text: dmarc },
        { name: `selector1._domainkey.${domain}`, type: 'CNAME', target: target('selector1') },
        { name: `selector2._domainkey.${domain}`, type: 'CNAME', target: target('selector2') },
      ],
    },
    {
      zone: `${tenant}.onmicrosoft.com`,
      records: [
        { name: target('selector1'), type: 'TXT', text: DKIM_1024 },
        { name: target('selector2'), type: 'TXT', text: DKIM_1024 },
      ],
    },
  ];
}

/** A domain on Google Workspace: Google's MX hosts, SPF include, DKIM at `google._domainkey`. */
export function googleDomain(domain: string, spfAll: '~all' | '-all', dmarc: string): DnsZone {
  return {
    zone: domain,
    records: [
      { name: domain, type: 'MX', priority: 1, exchange: 'aspmx.l.google.com' },
      { name: domain, type: 'MX', priority: 5, exchange: 'alt1.aspmx.l.google.com' },
      { name: domain, type: 'TXT', text: `v=spf1 include:_spf.google.com ${spfAll}` },
      { name: `_dmarc.${domain}`, type: 'TXT', text: dmarc },
      { name: `google._domainkey.${domain}`, type: 'TXT', text: DKIM_2048 },
    ],
  };
}

/** `npm run dev`'s domains: on Microsoft 365, on Google, and one whose SPF authorizes neither. */
export const DEMO_ZONES: DnsZone[] = [
  ...PROVIDER_ZONES,
  ...microsoft365Domain(
    'firma-m365.example',
    'firmam365demo',
    'v=DMARC1; p=reject; rua=mailto:dmarc@firma-m365.example',
  ),
  googleDomain('firma-google.example', '~all', 'v=DMARC1; p=none'),
  {
    zone: 'firma-spf.example',
    records: [
      { name: 'firma-spf.example', type: 'MX', priority: 0, exchange: 'firma-spf-example.mail.protection.outlook.com' },
      { name: 'firma-spf.example', type: 'TXT', text: 'v=spf1 ip4:192.0.2.25 -all' },
    ],
  },
];

export const DEMO_DOMAINS = DEMO_ZONES.map((z) => z.zone).filter((zone) => zone.endsWith('.example'));
