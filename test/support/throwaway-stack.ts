// A whole stack under `wrangler dev` (what `npm run dev` runs) with fresh secrets and data of its
// own, for the test files that need the real dev server rather than the vitest pool's workerd.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEnvFile } from '../../scripts/lib/dev-secrets.ts';
import { inject } from 'vitest';
import { startStack, type Stack } from '../../scripts/lib/stack.ts';

export interface ThrowawayStack {
  stack: Stack;
  operatorKey: string;
  /** Stops the stack and removes its data. */
  stop(): Promise<void>;
}

/** The system relay refuses connections: these tests send through no server. */
export async function startThrowawayStack(prefix: string): Promise<ThrowawayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const operatorKey = randomBytes(16).toString('hex');
  writeEnvFile(join(dataDir, 'secrets.env'), {
    TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    SETTINGS_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
    OPERATOR_API_KEY: operatorKey,
    SYSTEM_SMTP_URL: 'smtp://127.0.0.1:1',
  });
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  let stack: Stack;
  try {
    // DNS from the global setup's local service: no lookup leaves the machine.
    stack = await startStack({
      dataDir,
      envFiles: [join(dataDir, 'secrets.env')],
      vars: { DNS_RESOLVER_URL: inject('dnsResolverUrl') },
    });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    stack,
    operatorKey,
    stop: async () => {
      await stack.stop();
      remove();
    },
  };
}
