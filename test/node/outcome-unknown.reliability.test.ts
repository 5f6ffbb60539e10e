// An invoice POST whose insert reached the database but whose answer was lost: the message may be
// stored. The API must not say "not accepted" (a portal would retry with a new key and send it
// twice): it answers 503 outcome_unknown, and the same Idempotency-Key then returns the stored one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { createNodeService } from '../../api/node/service.ts';
import { type DbProxy, startDbProxy } from '../../scripts/lib/db-proxy.ts';
import { nodeTestEnv } from '../support/node-env.ts';

let proxy: DbProxy;
let service: ReturnType<typeof createNodeService>;
let env: ReturnType<typeof nodeTestEnv>;

beforeAll(async () => {
  proxy = await startDbProxy(inject('dbUrl'));
  env = nodeTestEnv(proxy.url, inject('smtpFixtures'), { ENVIRONMENT: 'test' });
  service = createNodeService(env);
});

afterAll(async () => {
  await service?.close();
  await proxy?.stop();
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  service.app.request(
    `http://api.test${path}`,
    {
      method,
      headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    env,
  );

describe('an invoice whose insert was not answered', () => {
  it('is a 503 outcome_unknown that says to repeat with the same key, which returns the stored message', async () => {
    const tenant = `unknown-${randomUUID().slice(0, 8)}`;
    expect(
      (await call('PUT', `/v1/tenants/${tenant}`, { name: 'Firma', email: `owner@${tenant}.example.com` })).status,
    ).toBe(200);
    const invoice = { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: `Rechnung ${tenant}`, text: 'Anbei.' };
    const key = randomUUID();
    proxy.loseAnswerWhen((body) => /insert into \\?"deliveries\\?"/.test(body));
    const lost = await call('POST', `/v1/tenants/${tenant}/messages`, invoice, {
      'idempotency-key': key,
      'accept-language': 'en',
    });
    proxy.loseAnswerWhen(null);
    expect(lost.status).toBe(503);
    expect(lost.headers.get('retry-after')).toBe('5');
    const problem = (await lost.json()) as Problem;
    expect(problem.code).toBe('outcome_unknown');
    expect(problem.detail).toMatch(/same Idempotency-Key/);
    // It had been stored: the same key returns that message, and there is one.
    const again = await call('POST', `/v1/tenants/${tenant}/messages`, invoice, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    const { id } = (await again.json()) as { id: string };
    const stored = await call('GET', `/v1/tenants/${tenant}/messages/${id}`);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ id });
    await service.outbox.idle();
  });
});
