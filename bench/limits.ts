// The CPU the API spends on the costliest bodies its limits let in (issue 21, item 2), on Node:
// the app's own fetch in this process, around which process.cpuUsage counts (the libSQL file
// database included, the bench's building of the bodies not), against each body's floor: the least
// any API does with it (read and UTF-8 decoded; when accepted, stored as it is), and beside it
// what JSON.parse alone takes for it. Figures only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { build } from 'esbuild';
import { applyMigrations } from '../scripts/lib/migrate.ts';
import { median } from './lib/stats.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OPERATOR_KEY = 'bench-operator-key';
const SAMPLES = 11;

interface InProcessApp {
  fetch(request: Request, env: Record<string, string>): Promise<Response>;
}

/** The app bundled as the Node server is (the api code needs more than Node's type stripping). */
async function loadApp(): Promise<InProcessApp> {
  const outfile = join(root, 'dist/bench/limits-app.js');
  await build({
    stdin: {
      // The Node wiring without its outbox: the figure is the request's, not a send's after it.
      contents: `import { createApp } from './api/app.ts'; import { nodeDatabases } from './api/db/client-node.ts';
        import { nodeDeps } from './api/node/service.ts';
        export const app = createApp(nodeDeps(nodeDatabases(), { enqueue: async () => {}, handOverWebhooks: () => {} }));`,
      resolveDir: root,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  return ((await import(pathToFileURL(outfile).href)) as { app: InProcessApp }).app;
}

const base = { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: 'Rechnung 2026-001', text: 'Anbei.' };
const pdf = (bytes: number) => ({
  filename: 'rechnung.pdf',
  contentType: 'application/pdf',
  content: Buffer.alloc(bytes, 7).toString('base64'),
});
const many = <T>(n: number, item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));

/** Accepted bodies (202): the floor, then the largest content the limits allow, in one piece and in 100. */
const ACCEPTED: [string, unknown][] = [
  ['floor: a minimal invoice', base],
  ['10 MiB PDF (the content limit, 13.3 MiB of JSON)', { ...base, attachments: [pdf(10 * 1024 * 1024 - 100)] }],
  [
    '50 recipients, 100 attachments of 100 KiB',
    { ...base, to: many(50, (i) => `k${i}@kunde.example.com`), attachments: many(100, () => pdf(100 * 1024)) },
  ],
];

/** Refused bodies, each near the body limit and aimed at a different check. */
const REFUSED: [string, unknown][] = [
  ['600,000 invalid cc addresses (the report)', { ...base, cc: many(600_000, (i) => `x${i}`) }],
  ['990 invalid cc addresses of 254 characters', { ...base, cc: many(990, (i) => `${i}`.padEnd(254, 'x')) }],
  ['1,000 × 1,000 numbers nested in `kind`', { ...base, kind: many(1000, () => many(1000, () => 1)) }],
  ['a 14 MiB subject', { ...base, subject: 'R'.repeat(14 * 1024 * 1024) }],
  [
    '100 attachments of 140 KiB that are not base64',
    {
      ...base,
      attachments: many(100, () => ({ filename: '../x', contentType: 'a/b', content: '*'.repeat(140 * 1024) })),
    },
  ],
];

const post = (body: Uint8Array<ArrayBuffer>) =>
  new Request('http://bench.test/v1/tenants/bench/messages', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${OPERATOR_KEY}`,
      'content-type': 'application/json',
      'content-length': String(body.byteLength),
      'idempotency-key': crypto.randomUUID(),
    },
    body,
  });

/** CPU milliseconds of `work` (the request is built before, outside). */
async function cpuMs(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** CPU milliseconds of one request, answer read; the status it got. */
async function cpuOf(app: InProcessApp, env: Record<string, string>, body: Uint8Array<ArrayBuffer>) {
  const request = post(body);
  let status = 0;
  const ms = await cpuMs(async () => {
    const res = await app.fetch(request, env);
    status = res.status;
    await res.arrayBuffer();
  });
  return { ms, status };
}

/**
 * The body's floor: read from the request and decoded; when `store`, also written as it is, in
 * the 1 MiB pieces the API stores (one batch into a table of the bench's own). And, apart, the CPU
 * of JSON.parse of it.
 */
async function floorOf(db: Client, body: Uint8Array<ArrayBuffer>, store: boolean) {
  const request = post(body);
  let text = '';
  const floor = await cpuMs(async () => {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await request.arrayBuffer());
    if (!store) return;
    const chunks = Array.from({ length: Math.ceil(text.length / 2 ** 20) }, (_, i) =>
      text.slice(i * 2 ** 20, (i + 1) * 2 ** 20),
    );
    await db.batch(
      chunks.map((chunk, seq) => ({ sql: 'insert into floor_chunks (seq, chunk) values (?, ?)', args: [seq, chunk] })),
      'write',
    );
  });
  return { floor, parse: await cpuMs(async () => JSON.parse(text)) };
}

export async function benchLimits(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mss-bench-limits-'));
  try {
    const databaseUrl = pathToFileURL(join(dir, 'api.db')).href;
    await applyMigrations(databaseUrl);
    const env = {
      DATABASE_URL: databaseUrl,
      OPERATOR_API_KEY: OPERATOR_KEY,
      TENANT_TOKEN_SECRET: 'x'.repeat(43),
      SETTINGS_ENCRYPTION_KEY: `t1:${Buffer.alloc(32, 1).toString('base64')}`,
    };
    const app = await loadApp();
    const put = await app.fetch(
      new Request('http://bench.test/v1/tenants/bench', {
        method: 'PUT',
        headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench GmbH', email: 'rechnung@bench.example.com' }),
      }),
      env,
    );
    if (put.status !== 200) throw new Error(`tenant not created: ${put.status}`);
    const floorDb = createClient({ url: databaseUrl });
    await floorDb.execute('create table floor_chunks (seq integer, chunk text)');
    const rows: { name: string; ms: number; floor: number; parse: number; status: number; bytes: number }[] = [];
    const accepted = new Set(ACCEPTED.map(([name]) => name));
    for (const [name, body] of [...ACCEPTED, ...REFUSED]) {
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      const samples: number[] = [];
      const floors: number[] = [];
      const parses: number[] = [];
      let status = 0;
      // The first round warms up the code paths; the median of the rest is the figure. Request and
      // floor take turns, so the machine's load drifts over both alike.
      for (let i = 0; i <= SAMPLES; i++) {
        const run = await cpuOf(app, env, bytes);
        const floor = await floorOf(floorDb, bytes, accepted.has(name));
        status = run.status;
        if (i > 0) {
          samples.push(run.ms);
          floors.push(floor.floor);
          parses.push(floor.parse);
        }
      }
      rows.push({
        name,
        ms: median(samples),
        floor: median(floors),
        parse: median(parses),
        status,
        bytes: bytes.byteLength,
      });
    }
    floorDb.close();
    const minimal = rows[0]!.ms;
    return [
      `CPU per request (median of ${SAMPLES} after a warm-up), as a ratio to a minimal invoice (${minimal.toFixed(2)} ms)`,
      `and to the body's floor (read and UTF-8 decoded; stored as it is when accepted); JSON.parse of it alone beside:`,
      ...rows.map(
        (r) =>
          `${r.name}: ${(r.bytes / 1024 / 1024).toFixed(1)} MiB → ${r.status}, ${r.ms.toFixed(1)} ms CPU = ${(r.ms / minimal).toFixed(0)}×, ${(r.ms / r.floor).toFixed(1)}× its floor of ${r.floor.toFixed(1)} ms (JSON.parse alone ${r.parse.toFixed(1)} ms) (target ≤ 50 ms: ${r.ms <= 50 ? 'met' : 'missed'})`,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
