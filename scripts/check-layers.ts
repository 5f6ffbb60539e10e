// `npm run lint` step: every import between the project's own files points down the layers, and
// the widget and the contract reach nothing of the API. Reads the imports with TypeScript's own
// pre-parser, so comments and strings that look like imports do not count.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Top to bottom; a file may import its own layer or any layer below it, never one above. */
const LAYERS: { name: string; paths: string[] }[] = [
  { name: 'entries', paths: ['api/worker.ts', 'api/node/'] },
  { name: 'composition', paths: ['api/app.ts', 'api/wiring.ts'] },
  { name: 'features', paths: ['api/features/'] },
  { name: 'http edge', paths: ['api/http/'] },
  { name: 'outbox', paths: ['api/outbox/', 'api/sending/', 'api/oauth/'] },
  { name: 'i18n', paths: ['api/i18n/'] },
  { name: 'config', paths: ['api/config/'] },
  { name: 'discovery', paths: ['api/discover/'] },
  { name: 'smtp engine', paths: ['api/smtp/'] },
  { name: 'dns', paths: ['api/dns/'] },
  { name: 'storage', paths: ['api/db/', 'api/crypto/'] },
  { name: 'contract and util', paths: ['contract/', 'api/util/', 'drizzle/'] },
];

/** Roots that form a world of their own: they may import only these prefixes (and packages). */
const CONFINED: Record<string, string[]> = {
  'components/': ['components/', 'contract/'],
  'contract/': ['contract/'],
};

/** Packages a layer must not use, whatever it imports of ours. */
const FORBIDDEN_PACKAGES: { paths: string[]; packages: RegExp; why: string }[] = [
  { paths: ['api/smtp/'], packages: /^(hono|valibot)(\/|$)/, why: 'the SMTP engine knows no HTTP' },
];

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const layerOf = (file: string) => LAYERS.findIndex((l) => l.paths.some((p) => file === p || file.startsWith(p)));

const problems: string[] = [];
const unplaced = new Set<string>();
for (const file of [...sourceFiles('api'), ...sourceFiles('contract'), ...sourceFiles('components')]) {
  const imports = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true).importedFiles;
  for (const { fileName: spec } of imports) {
    if (!spec.startsWith('.')) {
      for (const rule of FORBIDDEN_PACKAGES)
        if (rule.paths.some((p) => file.startsWith(p)) && rule.packages.test(spec))
          problems.push(`${file} imports ${spec}: ${rule.why}`);
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const confined = Object.entries(CONFINED).find(([prefix]) => file.startsWith(prefix));
    if (confined) {
      if (!confined[1].some((p) => target.startsWith(p)))
        problems.push(`${file} imports ${target}: outside ${confined[1].join(', ')}`);
      continue;
    }
    const from = layerOf(file);
    const to = layerOf(target);
    if (from === -1) unplaced.add(file);
    else if (to === -1) problems.push(`${file} imports ${target}, which is in no layer`);
    else if (to < from)
      problems.push(`${file} (${LAYERS[from]!.name}) imports ${target} (${LAYERS[to]!.name}): an arrow up`);
  }
}

for (const file of unplaced) problems.push(`${file}: in no layer (add its folder to LAYERS above)`);
if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} import(s) against the layers:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-layers: every import points down');
