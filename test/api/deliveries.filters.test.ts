// GET /v1/deliveries?kind=&status=: the log's filters, paged like the whole log, with a clear 422
// for each bad value; notices to the tenant are never listed.
import { describe, expect, it } from 'vitest';
import type { DeliveriesResponse, Problem } from '../../contract/index.ts';
import { insertDelivery } from '../../api/outbox/accept.ts';
import { db, tenantWithServer } from './outbox-helpers.ts';

type Api = Awaited<ReturnType<typeof tenantWithServer>>['api'];

async function page(api: Api, query: string): Promise<DeliveriesResponse> {
  const res = await api.get(`/v1/deliveries${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DeliveriesResponse;
}

/** Every row the query reaches, page by page. */
async function all(api: Api, query: string, limit: number) {
  const rows: DeliveriesResponse['deliveries'] = [];
  let cursor: string | null = null;
  do {
    const p: DeliveriesResponse = await page(
      api,
      `?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(p.deliveries.length).toBeLessThanOrEqual(limit);
    rows.push(...p.deliveries);
    cursor = p.nextCursor;
  } while (cursor);
  return rows;
}

const KINDS = ['invoice', 'test', 'reminder', 'test', 'document', 'notice', 'invoice', 'test'] as const;
const STATUSES = ['sent', 'failed', 'retrying', 'sent', 'failed', 'queued', 'sending', 'sent'] as const;

describe('GET /v1/deliveries: kind and status filters', () => {
  it('business mail and tests apart, by status, paged without gaps or repeats; notices never', async () => {
    const { tenant, api } = await tenantWithServer();
    const t0 = Date.now() - 60_000;
    for (const [i, kind] of KINDS.entries()) {
      const id = `${tenant.id}-${i}`;
      await insertDelivery(
        db(),
        {
          id,
          tenantId: tenant.id,
          kind,
          status: STATUSES[i]!,
          recipients: { to: ['kunde@kunde.example.com'], cc: [], bcc: [] },
          subject: `Betreff ${i}`,
          idempotencyKey: id,
          createdAt: new Date(t0 + i * 1000),
        },
        { attachments: [] },
      );
    }
    const idsOf = (rows: DeliveriesResponse['deliveries']) => rows.map((r) => Number(r.id.split('-').pop()));
    expect(idsOf(await all(api, 'kind=business', 2))).toEqual([6, 4, 2, 0]);
    expect(idsOf(await all(api, 'kind=test', 2))).toEqual([7, 3, 1]);
    expect(idsOf(await all(api, 'kind=business&status=failed', 1))).toEqual([4]);
    expect(idsOf(await all(api, 'status=sent,failed', 2))).toEqual([7, 4, 3, 1, 0]);
    expect(idsOf(await all(api, 'kind=business&status=retrying,sending', 5))).toEqual([6, 2]);
    expect(idsOf(await all(api, '', 3))).toEqual([7, 6, 4, 3, 2, 1, 0]);
  });

  it('an unknown kind or status is a 422 naming each field', async () => {
    const { api } = await tenantWithServer();
    for (const [query, paths] of [
      ['?kind=invoice', ['kind']],
      ['?kind=', ['kind']],
      ['?status=done', ['status']],
      ['?status=sent,', ['status']],
      ['?kind=all&status=SENT&limit=0', ['kind', 'limit', 'status']],
    ] as const) {
      const res = await api.get(`/v1/deliveries${query}`);
      expect(res.status, query).toBe(422);
      const problem = (await res.json()) as Problem;
      expect(problem.errors!.map((e) => e.path).sort(), query).toEqual([...paths]);
      for (const e of problem.errors!) expect(e.message).toBeTruthy();
    }
  });
});
