import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDnsService } from '../../scripts/lib/dns-service.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { startSqld } from '../../scripts/lib/sqld.ts';
import { type AutoconfigServerInfo, startAutoconfigServer } from './autoconfig-server.ts';
import { TEST_ZONES } from '../fixtures/dns-zones.ts';
import { startBrokenDatabase } from './broken-database.ts';
import { startHostileDoh } from './hostile-doh.ts';
import { startOAuthServers } from './node-env.ts';
import type { OAuthServersInfo } from './oauth-control.ts';
import { startSmtpFixtures, type SmtpFixturesInfo } from './smtp-servers.ts';
import { startWebhookReceiverControl, type WebhookReceiverInfo } from './webhook-receiver-control.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dbUrl: string;
    smtpFixtures: SmtpFixturesInfo;
    /** An HTTP server that drops the connection halfway through its answer (see broken-database.ts). */
    brokenDatabasePort: number;
    /** The local authorization servers (their operator vars and control URLs); the workers project's PUBLIC_URL. */
    oauth: OAuthServersInfo;
    /** A domain's own autoconfig web server (HTTPS) and a plain-HTTP one beside it (see autoconfig-server.ts). */
    autoconfig: AutoconfigServerInfo;
    /** The local DNS-over-HTTPS service with the test zones (test/fixtures/dns-zones.ts): DNS_RESOLVER_URL. */
    dnsResolverUrl: string;
    /** A DoH server answering wrongly, one way per path (`/<case>`, see hostile-doh.ts). */
    hostileDohUrl: string;
    /** The webhook receiver the workers project's WEBHOOK_URL points at, and its control endpoint. */
    webhookReceiver: WebhookReceiverInfo;
  }
}

/** The workers tests call the app as `exports.default.fetch` under this origin; nothing listens there. */
const PUBLIC_URL = 'https://api.test.example';

/**
 * Runs in Node before the test projects: a real libSQL server with the migrations, an authorization
 * server per provider, real SMTP servers (`xoauth2` accepts those servers' tokens), a broken database,
 * a DNS-over-HTTPS service on unbound and dnsdist, and a hostile one.
 */
export default async function setup(project: TestProject) {
  // First: without unbound or dnsdist it fails, naming the packages, before anything else is running.
  const dns = await startDnsService(TEST_ZONES);
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-test-db-'));
  const sqld = await startSqld(dataDir);
  await applyMigrations(sqld.url);
  const redirectUri = `${PUBLIC_URL}/v1/oauth/callback`;
  const oauth = await startOAuthServers([redirectUri]);
  const smtp = await startSmtpFixtures({ verifiers: oauth.verifiers });
  const broken = await startBrokenDatabase();
  const autoconfig = await startAutoconfigServer();
  const hostileDoh = await startHostileDoh();
  const webhookReceiver = await startWebhookReceiverControl();
  project.provide('webhookReceiver', webhookReceiver.info);
  project.provide('dbUrl', sqld.url);
  project.provide('smtpFixtures', smtp.info);
  project.provide('brokenDatabasePort', broken.port);
  project.provide('autoconfig', autoconfig.info);
  project.provide('dnsResolverUrl', dns.url);
  project.provide('hostileDohUrl', hostileDoh.baseUrl);
  project.provide('oauth', {
    publicUrl: PUBLIC_URL,
    redirectUri,
    microsoft: { url: oauth.microsoft.url, env: oauth.microsoft.env },
    google: { url: oauth.google.url, env: oauth.google.env },
  });
  return async () => {
    await webhookReceiver.stop();
    await autoconfig.stop();
    await hostileDoh.stop();
    await dns.stop();
    await broken.stop();
    await smtp.stop();
    await oauth.stop();
    await sqld.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
