// Under `wrangler dev` (what `npm run dev` runs) a DNS-rebound page reaches the port with its own
// name in Host: /dev/token must see that name, not the loopback address it connected to.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../scripts/lib/stack.ts';
import { startThrowawayStack, type ThrowawayStack } from '../support/throwaway-stack.ts';

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
  let started: ThrowawayStack;
  let stack: Stack;

  beforeAll(async () => {
    started = await startThrowawayStack('mss-devhost-');
    stack = started.stack;
  }, 90_000);

  afterAll(() => started?.stop());

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
