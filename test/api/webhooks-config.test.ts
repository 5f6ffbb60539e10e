// A WEBHOOK_URL that production refuses, on Workers: every request goes on (before, the config
// parse threw and every request was a 500), the events are stored and wait for the fix, and
// /healthz names the variable in a 503.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { newTenant, tokenFor } from './helpers.ts';
import { operator } from './outbox-helpers.ts';

// Plain http to a public host: production allows https only.
const production = { ...env, ENVIRONMENT: 'production', WEBHOOK_URL: 'http://hooks.portal.example/mail' };
const app = createApp(defaultDeps('workers'));

describe('a WEBHOOK_URL production refuses, on Workers', () => {
  it('is named by /healthz in a 503; a save and the operator’s log go on, the event is stored', async () => {
    const health = await app.request('/healthz', {}, production);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, missing: ['WEBHOOK_URL (invalid)'], database: 'ok' });

    const tenant = newTenant();
    const put = await app.request(
      '/v1/mail-server',
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${await tokenFor(tenant)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ host: 'smtp.example.com', port: 587, security: 'starttls', auth: { method: 'none' } }),
      },
      production,
    );
    expect(put.status).toBe(200);
    const log = await app.request(
      '/v1/webhook-deliveries?type=mail_server.changed&limit=100',
      { headers: operator() },
      production,
    );
    expect(log.status).toBe(200);
    const { webhookDeliveries } = (await log.json()) as {
      webhookDeliveries: { event: { data: { tenantId: string } } }[];
    };
    expect(webhookDeliveries.filter((d) => d.event.data.tenantId === tenant.id)).toHaveLength(1);
  });
});
