// GET /v1/deliveries lists the token's tenant's sends only: never another tenant's rows, also not
// with a cursor made from (or aimed at) another tenant's rows, and never a message body.
import { describe, expect, it } from 'vitest';
import type { DeliveriesResponse, DeliverySummary, Problem } from '../../contract/index.ts';
import { clientFor } from './helpers.ts';
import { pdfBytes, postMessage, settled, tenantWithServer, toBase64 } from './outbox-helpers.ts';
import { fixtures, marker } from './smtp-helpers.ts';

const SUMMARY_KEYS = [
  'attempts',
  'createdAt',
  'error',
  'fallbackReason',
  'id',
  'kind',
  'nextAttemptAt',
  'recipients',
  'response',
  'route',
  'sentAt',
  'status',
  'subject',
];
const BODY_TEXT = 'Vertraulicher Rechnungstext für Tenant A';
const BODY_HTML = '<p>Vertraulich: <b>nur Tenant A</b></p>';

const cursorOf = (createdAtMs: number, id: string) => btoa(`${createdAtMs}|${id}`).replace(/=+$/, '');

async function list(api: Awaited<ReturnType<typeof clientFor>>, query = ''): Promise<DeliveriesResponse> {
  const res = await api.get(`/v1/deliveries${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DeliveriesResponse;
}

describe('GET /v1/deliveries: tenant isolation', () => {
  it('tenant B never sees tenant A’s test or invoice deliveries, also not through cursors; no bodies', async () => {
    // Tenant A: two invoices (operator API, system relay) and one test (tenant token, a fixture server).
    const a = await tenantWithServer();
    const tag = marker();
    const invoiceIds: string[] = [];
    for (const n of [1, 2]) {
      const res = await postMessage(a.tenant.id, {
        kind: 'invoice',
        to: ['kunde@kunde.example.com'],
        bcc: ['archiv@kunde.example.com'],
        subject: `Rechnung ${n} ${tag}`,
        text: BODY_TEXT,
        html: BODY_HTML,
        attachments: [{ filename: 'Rechnung.pdf', contentType: 'application/pdf', content: toBase64(pdfBytes()) }],
      });
      expect(res.status).toBe(202);
      invoiceIds.push(((await res.json()) as { id: string }).id);
    }
    for (const id of invoiceIds) expect((await settled(a.tenant.id, id)).status).toBe('sent');
    const f = fixtures();
    const test = await a.api.post('/v1/mail-server/test', {
      host: f.host,
      port: f.ports.starttls,
      security: 'starttls',
      auth: { method: 'plain', username: f.username, password: f.password },
    });
    expect(test.status).toBe(200);

    const aList = await list(a.api);
    const aIds = aList.deliveries.map((d) => d.id);
    expect(aList.deliveries.map((d) => d.kind).sort()).toEqual(['invoice', 'invoice', 'test']);
    expect(aIds).toEqual(expect.arrayContaining(invoiceIds));

    // Tenant B with one test of its own, so "sees nothing of A" is not just "sees nothing".
    const b = await clientFor();
    expect(
      (
        await b.post('/v1/mail-server/test', {
          host: f.host,
          port: f.ports.refused,
          security: 'none',
          auth: { method: 'none' },
        })
      ).status,
    ).toBe(200);
    const bList = await list(b);
    expect(bList.deliveries).toHaveLength(1);
    const bId = bList.deliveries[0]!.id;
    const onlyB = (page: DeliveriesResponse) => {
      for (const d of page.deliveries) {
        expect(aIds).not.toContain(d.id);
        expect(d.id).toBe(bId);
      }
    };
    onlyB(bList);
    expect(bList.nextCursor).toBeNull();

    // Cursors: A's own next cursor, and ones made from A's rows, aimed just after them, or hostile.
    const aFirst = await list(a.api, '?limit=1');
    expect(aFirst.nextCursor).toBeTruthy();
    const aRows: DeliverySummary[] = aList.deliveries;
    const cursors = [
      aFirst.nextCursor!,
      ...aRows.map((d) => cursorOf(Date.parse(d.createdAt), d.id)),
      ...aRows.map((d) => cursorOf(Date.parse(d.createdAt) + 1, d.id)),
      cursorOf(Date.now() + 60_000, 'zzzzzzzz'),
      cursorOf(Date.now() + 60_000, `x' OR '1'='1`),
      cursorOf(Date.now() + 60_000, `${a.tenant.id}`),
    ];
    for (const cursor of cursors) {
      for (const limit of ['1', '100']) {
        const page = await list(b, `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`);
        onlyB(page);
      }
    }

    // No body, attachment or payload field in either tenant's list; only the summary's fields.
    for (const page of [aList, bList]) {
      const text = JSON.stringify(page);
      for (const body of [BODY_TEXT, BODY_HTML, toBase64(pdfBytes()).slice(0, 64), 'Rechnung.pdf'])
        expect(text).not.toContain(body);
      for (const d of page.deliveries) expect(Object.keys(d).sort()).toEqual(SUMMARY_KEYS);
    }
  });

  it('a cursor outside the times a date can hold, or without digits, is a 422 and not a database error', async () => {
    const api = await clientFor();
    for (const cursor of [
      cursorOf(9_000_000_000_000_000, 'x'),
      btoa('-1|x'),
      btoa('|x'),
      btoa('8640000000000001|a'),
      btoa('12x|a'),
    ]) {
      const res = await api.get(`/v1/deliveries?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(422);
      expect(((await res.json()) as Problem).errors).toEqual([
        { path: 'cursor', code: 'cursor_invalid', message: expect.any(String) },
      ]);
    }
  });
});
