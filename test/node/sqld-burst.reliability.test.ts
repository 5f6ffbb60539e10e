// The local database takes any burst of writes. sqld 0.24 stopped answering every write for good
// (reads still worked) once many write transactions ran at once: 64 writers wedged it within
// 16–33 s. The local sqld (scripts/lib/sqld.ts: dev, tests, bench) now runs one database
// connection at a time. Its own sqld here, so that the burst disturbs no other test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqldServer, startSqld } from '../../scripts/lib/sqld.ts';

const WRITERS = 64;
const BATCHES = 8_000;
/** A write that waits this long is stuck: with one connection, 50 writers waited 1.5 s at most. */
const STUCK_MS = 10_000;

let dir: string;
let sqld: SqldServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mss-burst-'));
  sqld = await startSqld(dir);
});

afterAll(async () => {
  await sqld?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const client = () =>
  createClient({
    url: sqld.url,
    fetch: (input: Request | string | URL, init?: RequestInit) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(STUCK_MS) }),
  });

describe('the local sqld under a burst of writes', () => {
  it(`takes ${BATCHES} write batches from ${WRITERS} writers at once, and writes afterwards`, async () => {
    await client().execute('CREATE TABLE burst (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const body = 'x'.repeat(4096);
    let started = 0;
    const failures: string[] = [];
    const writer = async () => {
      while (started < BATCHES && failures.length === 0) {
        started++;
        // A new client per batch, as a Worker makes one per request.
        await client()
          .batch(
            [
              { sql: 'INSERT INTO burst (body) VALUES (?)', args: [body] },
              { sql: 'UPDATE burst SET body = ? WHERE id = (SELECT max(id) FROM burst)', args: ['y'] },
            ],
            'write',
          )
          .catch((error: unknown) => failures.push(String((error as Error).message ?? error).slice(0, 200)));
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    expect(failures).toEqual([]);
    const after = client();
    await after.execute({ sql: 'INSERT INTO burst (body) VALUES (?)', args: ['after'] });
    expect((await after.execute('SELECT count(*) AS n FROM burst')).rows[0]!.n).toBe(BATCHES + 1);
  }, 120_000);

  it('answers 1,000 requests at once, none refused while they wait for the one connection', async () => {
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        client()
          .execute(i % 2 ? 'SELECT count(*) FROM burst' : "UPDATE burst SET body = body WHERE body = 'none'")
          .catch((error: unknown) => refused.push(String((error as Error).message ?? error).slice(0, 200))),
      ),
    );
    expect(refused).toEqual([]);
  }, 60_000);
});
