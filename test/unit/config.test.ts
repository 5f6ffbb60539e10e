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

  it('parses one env object once', () => {
    const env = { ALLOWED_ORIGINS: 'https://a.example' };
    expect(configOf(env)).toBe(configOf(env));
    expect(configOf({ ...env })).not.toBe(configOf(env));
  });
});
