// An invoice POST whose insert reached the database but whose answer was lost: the message may be
// stored. The API must not say "not accepted" (a portal would retry with a new key and send it
// twice): it answers 503 outcome_unknown, and the same Idempotency-Key then returns the stored one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { createNodeService } from '../../api/node/service.ts';
import { type DbProxy, startDbProxy } from '../../scripts/lib/db-proxy.ts';
import { nodeApp } from '../support/node-app.ts';
import { nodeTestEnv } from '../support/node-env.ts';

let proxy: DbProxy;
let service: ReturnType<typeof createNodeService>;
let app: ReturnType<typeof nodeApp>;

beforeAll(async () => {
  proxy = await startDbProxy(inject('dbUrl'));
  const env = nodeTestEnv(proxy.url, inject('smtpFixtures'), { ENVIRONMENT: 'test' });
  service = createNodeService(env);
  app = nodeApp(service, env, inject('smtpFixtures'));
});

afterAll(async () => {
  await service?.close();
  await proxy?.stop();
});

describe('an invoice whose insert was not answered', () => {
  it('is a 503 outcome_unknown that says to repeat with the same key, which returns the stored message', async () => {
    const { tenant } = await app.newTenant();
    const body = { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: `Rechnung ${tenant.id}`, text: 'Anbei.' };
    const post = () =>
      app.call('POST', `/v1/tenants/${tenant.id}/messages`, {
        operator: true,
        body,
        headers: { 'idempotency-key': key },
      });
    const key = randomUUID();
    proxy.loseAnswerWhen((sent) => /insert into \\?"deliveries\\?"/.test(sent));
    const lost = await post();
    proxy.loseAnswerWhen(null);
    expect(lost.status).toBe(503);
    expect(lost.headers.get('retry-after')).toBe('5');
    const problem = (await lost.json()) as Problem;
    expect(problem.code).toBe('outcome_unknown');
    expect(problem.detail).toMatch(/same Idempotency-Key/);
    // It had been stored: the same key returns that message.
    const again = await post();
    expect(again.status).toBe(202);
    const { id } = (await again.json()) as { id: string };
    const stored = await app.call('GET', `/v1/tenants/${tenant.id}/messages/${id}`, { operator: true });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ id });
    await service.outbox.idle();
  });
});
