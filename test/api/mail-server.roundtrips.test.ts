import { createClient } from '@libsql/client/web';
import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/libsql/web';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { createApp } from '../../api/app.ts';
import * as schema from '../../api/db/schema.ts';
import { capabilitiesFor } from '../../api/wiring.ts';
import { queueEnqueuer } from '../../api/outbox/enqueue.ts';
import type { Database } from '../../api/db/database.ts';
import { newTenant, tokenFor, validSettings } from './helpers.ts';

// In production every round trip to Turso is a network hop: GET must cost one, PUT one batch.
describe('database round trips', () => {
  let requests = 0;
  const client = createClient({
    url: env.DATABASE_URL!,
    fetch: (input: Request | string | URL, init?: RequestInit) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  const db = drizzle(client, { schema }) as unknown as Database;
  const app = createApp(() => ({
    db,
    config: parseConfig(env),
    capabilities: capabilitiesFor('workers', parseConfig(env)),
    now: () => new Date(),
    enqueue: queueEnqueuer(env),
    handOverWebhooks: () => {}, // after the response: not the request's round trips
  }));

  async function roundTrips(method: string, token: string, body?: unknown): Promise<number> {
    requests = 0;
    const res = await app.request(
      '/v1/mail-server',
      {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      env,
    );
    expect(res.status).toBeLessThan(300);
    return requests;
  }

  it('GET, PUT and DELETE each cost exactly one', async () => {
    const token = await tokenFor(newTenant());
    expect(await roundTrips('GET', token)).toBe(1); // also creates the tenant
    expect(await roundTrips('PUT', token, validSettings)).toBe(1);
    expect(await roundTrips('GET', token)).toBe(1);
    const { password: _omitted, ...keep } = validSettings.auth;
    expect(await roundTrips('PUT', token, { ...validSettings, auth: keep })).toBe(1);
    expect(await roundTrips('DELETE', token)).toBe(1);
  });
});
