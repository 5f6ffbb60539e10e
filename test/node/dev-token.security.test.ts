// Under `wrangler dev` (what `npm run dev` runs) a DNS-rebound page reaches the port with its own
// name in Host: /dev/token must see that name, not the loopback address it connected to.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEnvFile } from '../../scripts/lib/dev-secrets.ts';
import { startStack, type Stack } from '../../scripts/lib/stack.ts';

function get(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/dev/token under wrangler dev', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-devhost-'));
  let stack: Stack;

  beforeAll(async () => {
    writeEnvFile(join(dataDir, 'secrets.env'), {
      TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      SETTINGS_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
      OPERATOR_API_KEY: randomBytes(16).toString('hex'),
      SYSTEM_SMTP_URL: 'smtp://127.0.0.1:1',
    });
    stack = await startStack({ dataDir, envFiles: [join(dataDir, 'secrets.env')] });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('mints for Host localhost, refuses a rebound name', async () => {
    const url = `${stack.apiUrl}/dev/token?tenant=x&email=a@b.example.com`;
    const { port } = new URL(stack.apiUrl);
    const local = await get(url, `localhost:${port}`);
    expect(local.status).toBe(200);
    expect(JSON.parse(local.body)).toHaveProperty('token');
    const rebound = await get(url, `evil.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'loopback_host_required' });
  });
});
