// `npm run openapi` writes openapi.json from the app's route descriptions; `--check` (in `npm run
// lint`) fails when the committed file is not what the code describes. The app is bundled first
// (as in build-node.ts): Node's type stripping cannot run the api code.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/openapi/document.js');
const file = join(root, 'openapi.json');

await build({
  stdin: {
    // No request is served: the dependencies are never built.
    contents: `import { createApp } from './api/app.ts';
      import { openApiDocument } from './api/http/openapi.ts';
      import { defaultDeps } from './api/wiring.ts';
      export const document = () => openApiDocument(createApp(defaultDeps('node')));`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
});
const { document } = await import(pathToFileURL(bundle).href);
const text = `${JSON.stringify(await document(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    console.error('openapi.json is not what the routes describe: run `npm run openapi` and commit it.');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
