// A malformed WEBHOOK_URL on Node: every request goes on (before, the config parse threw and every
// request was a 500), the events are stored and wait for the fix, and /healthz names the variable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import { webhookDeliveries } from '../../api/db/schema.ts';
import { mintTenantToken } from '../../api/http/auth/tenant-token.ts';
import { createNodeService, type NodeService } from '../../api/node/service.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const fixtures = inject('smtpFixtures');
const dir = mkdtempSync(join(tmpdir(), 'mss-webhooks-config-'));
let env: Bindings;
let service: NodeService;

beforeAll(async () => {
  env = nodeTestEnv(pathToFileURL(join(dir, 'config.db')).href, fixtures, {
    WEBHOOK_URL: 'hooks.portal.example/mail',
    WEBHOOK_SECRET: `whsec_${btoa('k'.repeat(32))}`,
  });
  await applyMigrations(env.DATABASE_URL!);
  service = createNodeService(env);
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a malformed WEBHOOK_URL on Node', () => {
  it('is named by /healthz in a 503; a save goes on and its event waits, unsent, for the fix', async () => {
    const health = await service.fetch(new Request('http://api.test/healthz'));
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, missing: ['WEBHOOK_URL (invalid)'], database: 'ok' });

    const tenant = { id: 'cfg-tenant', email: 'owner@cfg.example.com', name: 'Konfig GmbH' };
    const token = await mintTenantToken(env.TENANT_TOKEN_SECRET!, tenant);
    const put = await service.fetch(
      new Request('http://api.test/v1/mail-server', {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ host: 'smtp.example.com', port: 587, security: 'starttls', auth: { method: 'none' } }),
      }),
    );
    expect(put.status).toBe(200);
    // A sweep sends every due event it can: none while the URL is malformed.
    await service.outbox.sweep();
    await service.outbox.idle();
    const stored = await service.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, tenant.id));
    expect(stored.map((e) => [e.type, e.status, e.attempts])).toEqual([['mail_server.changed', 'pending', 0]]);
  });
});
