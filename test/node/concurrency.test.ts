// Many requests at once against the real Workers runtime (wrangler dev): every one is answered,
// and the Worker keeps working afterwards. The libSQL web client once queued database calls of
// one request behind those of others (its limit of 20 in flight per client, shared per isolate);
// workerd cancels a request that waits on another request's I/O as hung, the queue's slots were
// never given back, and from then on every database call hung.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../scripts/lib/stack.ts';
import { startThrowawayStack, type ThrowawayStack } from '../support/throwaway-stack.ts';

/** The status, once the body is read (the connection is free again). */
async function statusOf(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

describe('many requests at once', () => {
  let started: ThrowawayStack;
  let stack: Stack;
  let operatorKey: string;

  beforeAll(async () => {
    started = await startThrowawayStack('mss-burst-');
    ({ stack, operatorKey } = started);
  }, 90_000);

  afterAll(() => started?.stop());

  const statuses = (count: number, request: () => Promise<Response>) =>
    Promise.all(Array.from({ length: count }, () => request().then(statusOf)));

  it('80 tenant reads and 80 health checks at once are all answered, and the Worker still works after', {
    timeout: 60_000,
  }, async () => {
    const res = await fetch(`${stack.apiUrl}/dev/token?tenant=burst&email=office@burst.example.com&name=Burst`);
    const { token } = (await res.json()) as { token: string };
    const read = () => fetch(`${stack.apiUrl}/v1/mail-server`, { headers: { authorization: `Bearer ${token}` } });
    const health = () => fetch(`${stack.apiUrl}/healthz`);

    const [reads, checks] = await Promise.all([statuses(80, read), statuses(80, health)]);
    expect(reads.filter((s) => s !== 200)).toEqual([]);
    expect(checks.filter((s) => s !== 200)).toEqual([]);
    // And afterwards, one at a time.
    expect((await read()).status).toBe(200);
    expect((await health()).status).toBe(200);
  });

  it('40 invoices for one tenant at once are all accepted', { timeout: 60_000 }, async () => {
    const operator = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
    const tenant = await fetch(`${stack.apiUrl}/v1/tenants/burst-invoices`, {
      method: 'PUT',
      headers: operator,
      body: JSON.stringify({ name: 'Burst GmbH', email: 'office@burst.example.com' }),
    });
    expect(tenant.status).toBe(200);
    const invoice = (i: number) => () =>
      fetch(`${stack.apiUrl}/v1/tenants/burst-invoices/messages`, {
        method: 'POST',
        headers: { ...operator, 'idempotency-key': `burst-${i}` },
        body: JSON.stringify({
          kind: 'invoice',
          to: ['kunde@kunde.example.com'],
          subject: `Rechnung ${i}`,
          text: 'Anbei die Rechnung.',
        }),
      });
    const accepted = await Promise.all(Array.from({ length: 40 }, (_, i) => invoice(i)().then(statusOf)));
    expect(accepted.filter((s) => s !== 202)).toEqual([]);
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
  });
});
