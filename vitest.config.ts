import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// workerd trusts a test CA only when the process that starts it has SSL_CERT_FILE (NODE_EXTRA_CA_CERTS does not reach the vitest pool's workerd);
// set before the pool starts workerd. Only the test SMTP servers' certificates chain to it.
process.env.SSL_CERT_FILE = fileURLToPath(new URL('./test/fixtures/tls/ca.pem', import.meta.url));

// Test-only secrets: random per run, never real ones.
const TEST_TOKEN_SECRET = `test-token-secret-${crypto.randomUUID()}`;
const TEST_OPERATOR_KEY = `test-operator-${crypto.randomUUID()}`;
const TEST_ENCRYPTION_KEY = `t1:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ENVIRONMENT: 'development',
                DATABASE_URL: inject('dbUrl'),
                TENANT_TOKEN_SECRET: TEST_TOKEN_SECRET,
                SETTINGS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
                ALLOWED_ORIGINS: 'https://portal.example',
                SYSTEM_FROM: 'system@relay.example',
                ALLOW_PRIVATE_HOSTS: 'true',
                OPERATOR_API_KEY: TEST_OPERATOR_KEY,
                // The system relay is the fixtures' plain server (no TLS, AUTH optional).
                SYSTEM_SMTP_URL: `smtp://127.0.0.1:${inject('smtpFixtures').ports.plain}`,
                // Retries come at once in tests; the budget is three of them.
                OUTBOX_RETRY_DELAYS: '0,0,0',
                // Both providers point at the local authorization servers of the global setup.
                PUBLIC_URL: inject('oauth').publicUrl,
                ...inject('oauth').microsoft.env,
                ...inject('oauth').google.env,
                DNS_RESOLVER_URL: inject('dnsResolverUrl'),
                // Every event goes to the global setup's receiver, retried at once (test/api/webhooks.test.ts).
                WEBHOOK_URL: inject('webhookReceiver').url,
                WEBHOOK_SECRET: inject('webhookReceiver').secret,
                WEBHOOK_RETRY_DELAYS: '0,0,0',
              },
            },
          })),
        ],
        // Generous: a passing test takes well under a second or two; the room is for a machine
        // under load (two tests timed out at 20 s with a load average of 6), not for slow code.
        test: { name: 'workers', include: ['test/api/**/*.test.ts'], testTimeout: 45_000 },
      },
      {
        // Pure code (widget rules, outbox outcome rules): no servers, milliseconds per file.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        // Node: whole stacks under `wrangler dev` (crash tests) and the widget in headless Chromium.
        extends: true,
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts', 'test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 45_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
