// The in-process outbox keeps tenants apart: one tenant's server that never finishes its EHLO reply
// (a tarpit) holds only that tenant's runs. Before, its invoices, each enqueued on its own, filled
// every run of the process, and another tenant's 20 invoices waited until the tarpit's timed out.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import { deliveries } from '../../api/db/schema.ts';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import { createNodeService } from '../../api/node/service.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const fixtures = inject('smtpFixtures');
const dir = mkdtempSync(join(tmpdir(), 'mss-fair-'));
const env: Bindings = nodeTestEnv(pathToFileURL(join(dir, 'outbox.db')).href, fixtures);
// The tarpit holds each of its messages this long; the other tenant's 20 need a small part of it.
const service = createNodeService(env, { timeouts: { totalMs: 10_000 } });
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

async function tenantOn(port: number) {
  const tenantId = `fair-${randomUUID().slice(0, 8)}`;
  const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, {
    id: tenantId,
    email: `owner@${tenantId}.example.com`,
    name: 'Fair GmbH',
  });
  const put = await service.fetch(
    new Request('http://api.test/v1/mail-server', {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: fixtures.host, port, security: 'none', auth: { method: 'none' } }),
    }),
  );
  expect(put.status).toBe(200);
  return tenantId;
}

async function postInvoice(tenantId: string, subject: string): Promise<string> {
  const res = await service.fetch(
    new Request(`http://api.test/v1/tenants/${tenantId}/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.OPERATOR_API_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ kind: 'invoice', to: ['kunde@kunde.example.com'], subject, text: 'Anbei.' }),
    }),
  );
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const statusesOf = async (ids: string[]) =>
  (await service.db().select().from(deliveries).where(inArray(deliveries.id, ids))).map((r) => r.status);

describe('Node outbox with one tenant behind a tarpit', () => {
  it("sends another tenant's 20 invoices while the tarpit still holds the first tenant's", async () => {
    await applyMigrations(env.DATABASE_URL!);
    const tarpit = await tenantOn(fixtures.ports.drip);
    const other = await tenantOn(fixtures.ports.plain);
    // One after the other, as a portal's backend sends them: each enqueued on its own.
    const held: string[] = [];
    for (let i = 0; i < 6; i++) held.push(await postInvoice(tarpit, `Rechnung ${i} (tarpit)`));
    await vi.waitFor(async () => expect(await statusesOf(held)).toContain('sending'));

    const sent: string[] = [];
    for (let i = 0; i < 20; i++) sent.push(await postInvoice(other, `Rechnung ${i}`));
    await vi.waitFor(async () => expect(await statusesOf(sent)).toEqual(sent.map(() => 'sent')), {
      timeout: 30_000,
    });
    // Every one of the tarpit's invoices is still waiting for it: none has timed out yet.
    const [first] = await service.db().select().from(deliveries).where(eq(deliveries.id, held[0]!));
    expect(first!.status).toBe('sending');
    expect((await statusesOf(held)).filter((s) => s !== 'sending' && s !== 'queued')).toEqual([]);

    // The tarpit's end as the rule says: the first stall breaks its route, all six are retried later.
    await service.outbox.idle();
    expect(await statusesOf(held)).toEqual(held.map(() => 'retrying'));
  });
});
