// The Node runtime's libSQL client against a real sqld. It shares one client per process and lets
// at most 4 database calls run at once (api/db/call-limit.ts), because sqld 0.24 stops answering
// writes for good when 8 or more write transactions run at once; the benchmark's proxy in front of
// sqld counts how many requests were in flight at the same time. And it asks for uncompressed
// answers (Node's fetch asks for gzip by default; inflating them cost CPU for nothing).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nodeDatabases } from '../../api/db/client-node.ts';
import { startDbProxy, type DbProxy } from '../../scripts/lib/db-proxy.ts';

let proxy: DbProxy;
const databases = nodeDatabases();
beforeAll(async () => {
  proxy = await startDbProxy(inject('dbUrl'));
});
afterAll(async () => {
  databases.close();
  await proxy.stop();
});

describe('Node database client', () => {
  it('runs at most 4 calls at once; the others wait their turn and all succeed', async () => {
    const db = databases.get(proxy.url);
    await db.run(sql`select 1`);
    proxy.reset();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => db.all<{ n: number }>(sql`select ${i} as n`)),
    );
    expect(results.map((rows) => rows[0]!.n)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(proxy.count()).toBe(24);
    expect(proxy.maxInFlight()).toBeLessThanOrEqual(4);
    expect(proxy.maxInFlight()).toBeGreaterThan(1); // still concurrent, not one at a time
  });

  it('asks sqld for uncompressed answers', async () => {
    const db = databases.get(proxy.url);
    expect(await db.all<{ n: number }>(sql`select 7 as n`)).toEqual([{ n: 7 }]);
    expect(proxy.lastHeaders()?.['accept-encoding']).toBe('identity');
  });
});
