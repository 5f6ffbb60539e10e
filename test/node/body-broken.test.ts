// A request body that breaks off mid-stream (a client gone, a proxy reset) is the client's problem:
// a 400 invalid_json on every JSON route, not a 500. On Node, where such a stream read rejects (in
// workerd the same body just ends early, and the JSON is then incomplete: also a 400).
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { Problem } from '../../contract/index.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const app = createApp(
  defaultDeps('node', {
    database: () => {
      throw new Error('no database in this test');
    },
  }),
);
const env = nodeTestEnv('file:unused.db', { ports: { plain: 1 } } as never);

function breakingBody(): ReadableStream<Uint8Array> {
  let pulls = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (++pulls > 2) return controller.error(new Error('connection reset by peer'));
      controller.enqueue(new TextEncoder().encode(pulls === 1 ? '{"host":' : ' "smtp.example.com"'));
    },
  });
}

describe('a body that breaks off', () => {
  it('is a 400 invalid_json on every JSON route, with and without a declared length', async () => {
    const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, {
      id: 'broken',
      email: 'a@b.example.com',
      name: 'B',
    });
    const routes: [string, string, string][] = [
      ['PUT', '/v1/mail-server', `Bearer ${token}`],
      ['POST', '/v1/mail-server/test', `Bearer ${token}`],
      ['PUT', '/v1/tenants/broken', `Bearer ${env.OPERATOR_API_KEY}`],
      ['POST', '/v1/tenants/broken/messages', `Bearer ${env.OPERATOR_API_KEY}`],
    ];
    for (const [method, path, authorization] of routes) {
      for (const length of [{}, { 'content-length': '40' }]) {
        const res = await app.request(
          path,
          {
            method,
            headers: { authorization, 'content-type': 'application/json', 'idempotency-key': 'k', ...length },
            body: breakingBody(),
            duplex: 'half',
          } as RequestInit,
          env,
        );
        expect(res.status, `${method} ${path} ${JSON.stringify(length)}`).toBe(400);
        expect(((await res.json()) as Problem).code).toBe('invalid_json');
      }
    }
  });
});
