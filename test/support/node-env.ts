// Bindings for the app running on Node in tests: fresh secrets, the fixtures' plain server as
// the system relay, private hosts allowed (every fixture is on loopback).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bindings } from '../../api/config/bindings.ts';
import type { SmtpFixturesInfo } from './smtp-servers.ts';

export function nodeTestEnv(databaseUrl: string, fixtures: SmtpFixturesInfo, extra: Partial<Bindings> = {}): Bindings {
  return {
    DATABASE_URL: databaseUrl,
    TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    SETTINGS_ENCRYPTION_KEY: `t1:${randomBytes(32).toString('base64')}`,
    OPERATOR_API_KEY: `node-operator-${randomUUID()}`,
    SYSTEM_FROM: 'system@relay.example',
    SYSTEM_SMTP_URL: `smtp://127.0.0.1:${fixtures.ports.plain}`,
    ALLOW_PRIVATE_HOSTS: 'true',
    ...extra,
  };
}
