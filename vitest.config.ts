import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Test-only secrets: random per run, never real ones.
const TEST_TOKEN_SECRET = `test-token-secret-${crypto.randomUUID()}`;
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
              },
            },
          })),
        ],
        test: { name: 'workers', include: ['test/api/**/*.test.ts'] },
      },
    ],
  },
});
