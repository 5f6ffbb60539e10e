// /healthz tells a monitor whether the service can work, not only whether its parts answer: a
// database that was never migrated and an encryption key that cannot be used are 503s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { nodeDatabases } from '../../api/db/client-node.ts';
import { defaultDeps } from '../../api/wiring.ts';
import { startDbProxy } from '../../scripts/lib/db-proxy.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { nodeTestEnv } from '../support/node-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'mss-health-'));
const databases = nodeDatabases();
const app = createApp(defaultDeps('node', { database: (url) => databases.get(url) }));
const env = (extra = {}) => nodeTestEnv(`file:${join(dir, 'health.db')}`, { ports: { plain: 1 } } as never, extra);

afterAll(() => {
  databases.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/healthz', () => {
  it('is a 503 "not migrated" until every migration is applied, then 200', async () => {
    const before = await app.request('/healthz', {}, env());
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ ok: false, missing: [], database: 'not migrated' });
    await applyMigrations(`file:${join(dir, 'health.db')}`);
    const after = await app.request('/healthz', {}, env());
    expect(await after.json()).toEqual({ ok: true });
  });

  it('names a half-configured sign-in provider in a 200: it is not offered, everything else works', async () => {
    await applyMigrations(`file:${join(dir, 'health.db')}`);
    const res = await app.request(
      '/healthz',
      {},
      env({ PUBLIC_URL: 'https://api.example', OAUTH_GOOGLE_CLIENT_ID: 'g-id', OAUTH_GOOGLE_CLIENT_SECRET: '' }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, incomplete: ['OAUTH_GOOGLE_CLIENT_SECRET'] });
  });

  it('names an unusable DNS_RESOLVER_URL in a 200: only the DNS checks need it', async () => {
    await applyMigrations(`file:${join(dir, 'health.db')}`);
    const res = await app.request('/healthz', {}, env({ DNS_RESOLVER_URL: 'http://dns.example/dns-query' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, incomplete: ['DNS_RESOLVER_URL (invalid)'] });
  });

  it('is a 503 "not writing" for a database that answers reads but no write (a wedged sqld)', async () => {
    const proxy = await startDbProxy(inject('dbUrl'));
    try {
      // Every write is taken and never answered, as sqld does once wedged; reads are answered.
      proxy.holdWhen((body) => /update/i.test(body));
      const wedged = await app.request('/healthz', {}, env({ DATABASE_URL: proxy.url }));
      expect(wedged.status).toBe(503);
      expect(await wedged.json()).toEqual({ ok: false, missing: [], database: 'not writing' });
      // Asked again within ten seconds, the probe's verdict is reused: no second write waits.
      const before = proxy.count();
      expect((await app.request('/healthz', {}, env({ DATABASE_URL: proxy.url }))).status).toBe(503);
      expect(proxy.count() - before).toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it('is "unreachable", not "not migrated", for a database that cannot be opened at all', async () => {
    for (const url of ['file:/nonexistent-dir/x.db', 'ftp://127.0.0.1/x']) {
      const res = await app.request('/healthz', {}, env({ DATABASE_URL: url }));
      expect(res.status, url).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, database: 'unreachable' });
    }
  });

  it('names an encryption key that cannot be used (not base64, not 32 bytes, no id), never its value', async () => {
    for (const key of ['k1:…', `k1:${Buffer.alloc(16).toString('base64')}`, 'not-a-key']) {
      const res = await app.request('/healthz', {}, env({ SETTINGS_ENCRYPTION_KEY: key }));
      expect(res.status, key).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ ok: false, missing: ['SETTINGS_ENCRYPTION_KEY (invalid)'] });
      expect(body).not.toContain(key);
    }
  });
});
