// The Worker as `wrangler deploy` uploads it: packages whose code never runs stay out of the bundle
// (their bytes count against the upload limit and are parsed on every cold start).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
let inputs: string[] = [];

beforeAll(async () => {
  // wrangler checks that the assets directory exists; the widget build fills it.
  mkdirSync(join(root, 'dist/public'), { recursive: true });
  await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--metafile'], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const meta = JSON.parse(readFileSync(join(outdir, 'bundle-meta.json'), 'utf8')) as { inputs: object };
  inputs = Object.keys(meta.inputs);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it('bundles the valibot converter but not zod (hono-openapi loads a converter per schema library)', () => {
  expect(inputs.some((path) => path.includes('node_modules/@valibot/to-json-schema/'))).toBe(true);
  expect(inputs.filter((path) => path.includes('node_modules/zod/'))).toEqual([]);
});
