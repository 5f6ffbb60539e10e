// A write the database refuses as locked (SQLITE_BUSY: sqld answers so when a checkpoint or
// another writer holds the lock too long; seen under the outbox benchmark) is tried again
// instead of failing the request. sqld itself is real; a small proxy in front of it answers the
// first writes with the error sqld sends for a locked database (Hrana over HTTP, JSON encoding).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@libsql/client/web';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isBusyError, retryingWhenBusy } from '../../api/db/busy-retry.ts';
import { createNodeService } from '../../api/node/service.ts';

// The provided values' types (dbUrl).
import type {} from '../support/global-setup.ts';

const sqld = inject('dbUrl');
const table = `busy_probe_${Date.now()}`;
let busyAnswers = 0;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    // Speak Hrana v2 (JSON), which the client falls back to when v3-protobuf is not offered.
    if (req.url?.startsWith('/v3')) return res.writeHead(404).end();
    if (req.url === '/v2/pipeline' && /"type":"(batch|execute)"/.test(body) && busyAnswers > 0) {
      busyAnswers--;
      const { requests } = JSON.parse(body) as { requests: unknown[] };
      const error = { message: 'SQLITE_BUSY: database is locked', code: 'SQLITE_BUSY' };
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({ baton: null, base_url: null, results: requests.map(() => ({ type: 'error', error })) }),
      );
    }
    const upstream = await fetch(`${sqld}${req.url}`, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body: body || undefined,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  await createClient({ url: sqld }).execute(`create table ${table} (v text not null)`);
});

afterAll(async () => {
  await createClient({ url: sqld }).execute(`drop table if exists ${table}`);
  await new Promise((resolve) => proxy.close(resolve));
});

const insert = (v: string) => [{ sql: `insert into ${table} (v) values (?)`, args: [v] }];
const values = async () =>
  (await createClient({ url: sqld }).execute(`select v from ${table} order by rowid`)).rows.map((r) => r.v);

describe('writes refused as busy', () => {
  it('fail at once without retries; with them are applied, once', async () => {
    busyAnswers = 1;
    const refused = await createClient({ url: proxyUrl })
      .batch(insert('plain'), 'write')
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isBusyError(refused)).toBe(true);

    busyAnswers = 3;
    await retryingWhenBusy(createClient({ url: proxyUrl })).batch(insert('retried'), 'write');
    expect(busyAnswers).toBe(0);
    expect(await values()).toEqual(['retried']);
  });

  it('give up after a bounded number of tries and report the busy error', async () => {
    busyAnswers = 100;
    const started = Date.now();
    const error = await retryingWhenBusy(createClient({ url: proxyUrl }))
      .batch(insert('never'), 'write')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isBusyError(error)).toBe(true);
    expect(busyAnswers).toBe(100 - 6);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await values()).toEqual(['retried']);
    busyAnswers = 0;
  });

  it('still busy after the retries: the API answers 503 with Retry-After, never 500, and stores nothing', async () => {
    const env = {
      ENVIRONMENT: 'test',
      DATABASE_URL: proxyUrl,
      TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      SETTINGS_ENCRYPTION_KEY: `t1:${randomBytes(32).toString('base64')}`,
      OPERATOR_API_KEY: 'busy-operator',
    };
    const service = createNodeService(env);
    try {
      busyAnswers = 100;
      const res = await service.app.request(
        'http://api.test/v1/tenants/busy-tenant',
        {
          method: 'PUT',
          headers: {
            authorization: 'Bearer busy-operator',
            'content-type': 'application/json',
            'accept-language': 'en',
          },
          body: JSON.stringify({ name: 'Busy GmbH', email: 'owner@busy.example.com' }),
        },
        env,
      );
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      busyAnswers = 0;
      const stored = await createClient({ url: sqld }).execute({
        sql: 'select count(*) as n from tenants where id = ?',
        args: ['busy-tenant'],
      });
      expect(stored.rows[0]!.n).toBe(0);
    } finally {
      busyAnswers = 0;
      await service.close();
    }
  });

  it('recognise the busy error and nothing else', () => {
    expect(isBusyError({ code: 'SQLITE_BUSY', message: 'database is locked' })).toBe(true);
    expect(isBusyError({ code: 'SQLITE_CONSTRAINT', message: 'UNIQUE constraint failed' })).toBe(false);
    expect(isBusyError(new Error('LibsqlBatchError: SQLITE_BUSY: database is locked'))).toBe(true);
    expect(isBusyError(null)).toBe(false);
  });
});
