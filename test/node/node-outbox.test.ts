// The in-process outbox on Node after a restart: a process accepted an invoice and stopped
// before sending it (its enqueue was lost); the next process's sweeper, which runs once at
// start, sends it. On its own temporary `file:` database, because a sweep looks at every
// tenant's rows and must not take over rows of the other tests in the shared database.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deliveries } from '../../api/db/schema.ts';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { createNodeService, type NodeService } from '../../api/node/service.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { nodeTestEnv } from '../support/node-env.ts';
import type { ReceivedMail } from '../support/smtp-servers.ts';

const fixtures = inject('smtpFixtures');
const dir = mkdtempSync(join(tmpdir(), 'mss-node-outbox-'));
const env: Bindings = nodeTestEnv(pathToFileURL(join(dir, 'outbox.db')).href, fixtures);
const services: NodeService[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function start(): NodeService {
  const service = createNodeService(env);
  services.push(service);
  return service;
}

const operator = (
  service: NodeService,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  service.app.request(
    `http://api.test${path}`,
    {
      method,
      headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    env,
  );

describe('Node outbox', () => {
  it('a delivery whose enqueue was lost is sent by the sweeper of the next process', async () => {
    await applyMigrations(env.DATABASE_URL!);
    const first = start();
    const tenantId = `node-sweep-${randomUUID().slice(0, 8)}`;
    expect(
      (
        await operator(first, 'PUT', `/v1/tenants/${tenantId}`, {
          name: 'Sweep GmbH',
          email: `owner@${tenantId}.example.com`,
        })
      ).status,
    ).toBe(200);
    // The process stops right after accepting: what it had scheduled is gone, the row is stored.
    await first.outbox.stop();
    const tag = `#${randomUUID().slice(0, 8)}`;
    const posted = await operator(
      first,
      'POST',
      `/v1/tenants/${tenantId}/messages`,
      { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag}`, text: 'Anbei.' },
      { 'idempotency-key': randomUUID() },
    );
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    await first.close();

    // Later (past the grace period for queued rows) the next process starts with its sweeper.
    const second = start();
    await second
      .db()
      .update(deliveries)
      .set({ createdAt: new Date(Date.now() - 60_000) })
      .where(eq(deliveries.id, id));
    second.outbox.startSweeper(60_000);
    await second.outbox.idle();
    const status = (await (await operator(second, 'GET', `/v1/tenants/${tenantId}/messages/${id}`)).json()) as {
      status: string;
      route: string;
    };
    expect(status).toMatchObject({ status: 'sent', route: 'system' });
    const mails = (await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[];
    expect(mails.filter((m) => m.parsed.subject?.includes(tag))).toHaveLength(1);
  });
});

describe('Node outbox under a burst', () => {
  it('sends a burst of invoices in a few batches over reused connections, not one connection each', async () => {
    await applyMigrations(env.DATABASE_URL!);
    const service = start();
    const tenantId = `node-burst-${randomUUID().slice(0, 8)}`;
    const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, {
      id: tenantId,
      email: `owner@${tenantId}.example.com`,
      name: 'Burst GmbH',
    });
    // The tenant's server answers each message after 400 ms, so invoices pile up while it works.
    const put = await service.app.request(
      'http://api.test/v1/mail-server',
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          host: fixtures.host,
          port: fixtures.ports.slow,
          security: 'none',
          auth: { method: 'none' },
        }),
      },
      env,
    );
    expect(put.status).toBe(200);
    const tag = `#${randomUUID().slice(0, 8)}`;
    const count = 20;
    // One after the other, as a portal's backend sending the month's invoices would: each is
    // enqueued on its own (ids enqueued in the same turn were already sent together).
    for (let i = 0; i < count; i++) {
      const res = await operator(
        service,
        'POST',
        `/v1/tenants/${tenantId}/messages`,
        { kind: 'invoice', to: [`kunde${i}@kunde.example.com`], subject: `Rechnung ${i} ${tag}`, text: 'Anbei.' },
        { 'idempotency-key': randomUUID() },
      );
      expect(res.status).toBe(202);
    }
    await service.outbox.idle();
    const mails = ((await (await fetch(`${fixtures.controlUrl}/messages`)).json()) as ReceivedMail[]).filter((m) =>
      m.parsed.subject?.includes(tag),
    );
    expect(mails).toHaveLength(count);
    // Before, every invoice had a connection of its own, all at once (20 here). Now the first few
    // go out at once and the rest wait for a free run, then share its connections (8 here).
    expect(new Set(mails.map((m) => m.sessionId)).size).toBeLessThanOrEqual(count / 2);
  });
});

describe('Node service: work left running after a response', () => {
  it('records a test send after its response, and close() waits for that before closing the database', async () => {
    await applyMigrations(env.DATABASE_URL!);
    const service = createNodeService(env);
    const tenantId = `node-defer-${randomUUID().slice(0, 8)}`;
    const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, {
      id: tenantId,
      email: `owner@${tenantId}.example.com`,
      name: 'Defer GmbH',
    });
    const res = await service.fetch(
      new Request('http://api.test/v1/mail-server/test', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          host: fixtures.host,
          port: fixtures.ports.plain,
          security: 'none',
          auth: { method: 'none' },
        }),
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    const db = service.db();
    const rowOf = async () => (await db.select().from(deliveries).where(eq(deliveries.tenantId, tenantId)))[0];
    // Answered first: the outcome is written on a later turn (as with Workers' waitUntil).
    expect((await rowOf())?.status).toBe('sending');
    await service.close();
    const check = createNodeService(env);
    services.push(check);
    expect((await check.db().select().from(deliveries).where(eq(deliveries.tenantId, tenantId)))[0]).toMatchObject({
      kind: 'test',
      status: 'sent',
    });
  });
});
