// `npm run lint`: fails when the committed custom-elements.json is not what `npm run analyze` writes
// for the current components (the manifest documents the widget's public API, so it must not go stale).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The manifest with its modules in path order: the analyzer lists them in the order its glob finds them, which varies. */
function canonical(manifest: string): string {
  const parsed = JSON.parse(manifest) as { modules: { path: string }[] };
  parsed.modules.sort((a, b) => a.path.localeCompare(b.path));
  return JSON.stringify(parsed);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'custom-elements.json');
const outDir = mkdtempSync(join(tmpdir(), 'mss-manifest-'));
try {
  // The analyzer joins --outdir to the working directory, so it gets the temp folder's relative path.
  execFileSync(join(root, 'node_modules/.bin/cem'), ['analyze', '--quiet', '--outdir', relative(root, outDir)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const fresh = readFileSync(join(outDir, 'custom-elements.json'), 'utf8');
  if (canonical(fresh) !== canonical(readFileSync(committed, 'utf8'))) {
    console.error('custom-elements.json is stale: run `npm run analyze` and commit the result.');
    process.exitCode = 1;
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
