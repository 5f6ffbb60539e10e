// Bindings for the app running on Node in tests: fresh secrets, the fixtures' plain server as
// the system relay, private hosts allowed (every fixture is on loopback), the local DoH service of
// the global setup. And the local authorization servers for tests that start their own stacks.
import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import type { AccessTokenVerifier } from '../../scripts/lib/mail-sink.ts';
import { type LocalAuthServer, type OAuthEnv, startAuthServer } from '../../scripts/lib/oauth-server.ts';
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
    DNS_RESOLVER_URL: inject('dnsResolverUrl'),
    ...extra,
  };
}

export interface OAuthServers {
  microsoft: LocalAuthServer;
  google: LocalAuthServer;
  /** Both servers' operator variables together. */
  env: OAuthEnv;
  /** For `startMailSink({ verifiers })` / `startSmtpFixtures({ verifiers })`: tokens of either server. */
  verifiers: AccessTokenVerifier[];
  stop(): Promise<void>;
}

/** A local authorization server per provider, both accepting these redirect URIs. */
export async function startOAuthServers(
  redirectUris: string[] | (() => string[]),
  accessTokenTtlSeconds?: number,
): Promise<OAuthServers> {
  const microsoft = await startAuthServer('microsoft', { redirectUris, accessTokenTtlSeconds });
  const google = await startAuthServer('google', { redirectUris, accessTokenTtlSeconds }).catch(async (error) => {
    await microsoft.stop();
    throw error;
  });
  return {
    microsoft,
    google,
    env: { ...microsoft.env, ...google.env },
    verifiers: [microsoft, google].map((server) => (user, token) => server.verifyAccessToken(token, user)),
    stop: async () => {
      await Promise.all([microsoft.stop(), google.stop()]);
    },
  };
}
