import { describe, expect, it } from 'vitest';
import { configOf, parseConfig } from '../../api/config/config.ts';

describe('configuration', () => {
  it('reads the bindings once into typed values', () => {
    const config = parseConfig({
      ENVIRONMENT: 'development',
      ALLOWED_ORIGINS: ' https://a.example , ,https://b.example',
      ALLOW_PRIVATE_HOSTS: 'true',
      SYSTEM_SMTP_URL: 'smtps://relay.example',
      OUTBOX_RETRY_DELAYS: '0,5',
      OUTBOX_LEASE_SECONDS: '3',
    });
    expect(config).toMatchObject({
      development: true,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      allowPrivateHosts: true,
      systemFrom: 'no-reply@localhost.localdomain',
      systemRelay: { host: 'relay.example', port: 465, security: 'tls' },
      outbox: { retryDelays: [0, 5], leaseMs: 3_000 },
      missing: ['DATABASE_URL', 'TENANT_TOKEN_SECRET', 'SETTINGS_ENCRYPTION_KEY', 'OPERATOR_API_KEY'],
    });
  });

  it('keeps an unusable relay URL as the reason, and private hosts off unless exactly "true"', () => {
    const config = parseConfig({ SYSTEM_SMTP_URL: 'http://relay.example', ALLOW_PRIVATE_HOSTS: 'yes' });
    expect(config.systemRelay).toBeInstanceOf(Error);
    expect(config.allowPrivateHosts).toBe(false);
    expect(config.development).toBe(false);
  });

  it('takes DNS_RESOLVER_URL over https, plain http only to this machine', () => {
    expect(parseConfig({}).dnsResolverUrl).toBe('https://cloudflare-dns.com/dns-query');
    expect(parseConfig({ DNS_RESOLVER_URL: 'https://dns.example/dns-query' }).dnsResolverUrl).toBe(
      'https://dns.example/dns-query',
    );
    expect(parseConfig({ DNS_RESOLVER_URL: 'http://127.0.0.1:8053/dns-query' }).dnsResolverUrl).toBe(
      'http://127.0.0.1:8053/dns-query',
    );
    for (const url of ['http://dns.example/dns-query', 'dns.example', 'ftp://127.0.0.1/'])
      expect(parseConfig({ DNS_RESOLVER_URL: url }).dnsResolverUrl).toBeInstanceOf(Error);
  });

  it('parses one env object once', () => {
    const env = { ALLOWED_ORIGINS: 'https://a.example' };
    expect(configOf(env)).toBe(configOf(env));
    expect(configOf({ ...env })).not.toBe(configOf(env));
  });
});
