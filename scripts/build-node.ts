// Bundles the Node entry (api/node/server.ts) into dist/node/server.js. The api code uses
// TypeScript that Node's type stripping cannot run (parameter properties and the like), so it
// is compiled here; npm packages stay external and are loaded from node_modules.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const nodeBundle = join(root, 'dist/node/server.js');

export async function buildNode(): Promise<{ bundle: string; bytes: number }> {
  const result = await build({
    entryPoints: [join(root, 'api/node/server.ts')],
    outfile: nodeBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    tsconfig: join(root, 'tsconfig.json'),
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'))?.[1].bytes ?? 0;
  return { bundle: nodeBundle, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bundle, bytes } = await buildNode();
  console.log(`${bundle} (${bytes} bytes)`);
}
