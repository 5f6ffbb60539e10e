// The domain check's mailauth imports as Node's own ESM loader resolves them: the Node server's
// bundle keeps npm packages external (scripts/build-node.ts), and Node refuses a directory or an
// extensionless path into a package without "exports", which bundlers and vitest accept.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('the domain check on Node', () => {
  it("evaluates SPF and DMARC through mailauth as loaded by Node's ESM loader", async () => {
    // Inside the repository (dist/ is ignored), so the external packages resolve from its node_modules.
    mkdirSync(join(root, 'dist'), { recursive: true });
    const dir = mkdtempSync(join(root, 'dist/domain-check-node-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { evaluateSpf } from ${JSON.stringify(join(root, 'api/features/domain-check/spf.ts'))};
import { lookupDmarc } from ${JSON.stringify(join(root, 'api/features/domain-check/dmarc.ts'))};
const zone = { 'TXT firma.test': [['v=spf1 ip4:192.0.2.0/24 -all']], 'TXT _dmarc.firma.test': [['v=DMARC1; p=reject']] };
const resolve = async (name, type) => {
  const records = zone[type + ' ' + name];
  if (records) return records;
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};
const txt = Promise.resolve({ ok: true, records: ['v=spf1 ip4:192.0.2.0/24 -all'] });
const [spf, dmarc] = await Promise.all([evaluateSpf(txt, resolve, 'firma.test', '192.0.2.9'), lookupDmarc(resolve, 'firma.test')]);
console.log(JSON.stringify({ spf: spf.result, dmarc: dmarc.ok && dmarc.policy }));
`,
    );
    const outfile = join(dir, 'check.mjs');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
      absWorkingDir: root,
    });
    const run = spawnSync(process.execPath, [outfile], { cwd: root, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ spf: 'pass', dmarc: 'reject' });
  });
});
