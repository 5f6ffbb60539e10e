// `npm run build:package`: the widget as an npm package in dist/package (`npm pack ./dist/package`).
// The root package.json is the whole project (the API's dependencies included); an integrator gets
// only the widget: ESM with Lit as a dependency, the self-contained bundle, .d.ts, the manifest and
// the React wrapper.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildWidget, widgetBundle } from './build-widget.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const packageDir = join(root, 'dist/package');
export const packageName = '@mail-server-settings/widget';

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  description: string;
  license?: string;
  dependencies: Record<string, string>;
};

/** The React entry imports the element from the package's own element module, so the element exists once. */
const elementModuleExternal: Plugin = {
  name: 'element-module-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/index\.ts$/ }, () => ({ path: './mail-server-settings.js', external: true }));
  },
};

async function buildModules(): Promise<void> {
  const common = {
    bundle: true,
    format: 'esm',
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.json'),
    charset: 'utf8',
    logLevel: 'warning',
  } as const;
  // Unminified: the integrator's bundler minifies, and readable code helps them debug.
  await build({
    ...common,
    entryPoints: [join(root, 'components/index.ts')],
    outfile: join(packageDir, 'dist/mail-server-settings.js'),
    external: ['lit', 'lit/*', '@lit/*'],
  });
  await build({
    ...common,
    entryPoints: [join(root, 'components/react.ts')],
    outfile: join(packageDir, 'dist/react.js'),
    external: ['lit', 'lit/*', '@lit/*', 'react'],
    plugins: [elementModuleExternal],
  });
}

function buildDeclarations(): void {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.package.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  // tsc keeps the sources' `.ts` specifiers in declarations; an integrator's tsc (without
  // allowImportingTsExtensions, or with NodeNext) resolves `./x.js` to `./x.d.ts` instead.
  const typesDir = join(packageDir, 'types');
  for (const file of readdirSync(typesDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(typesDir, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/(['"]\.\.?\/[^'"]*)\.ts(['"])/g, '$1.js$2'));
  }
}

const types = (entry: string) => `./types/components/${entry}.d.ts`;

function packageJson(): Record<string, unknown> {
  return {
    name: packageName,
    version: rootPackage.version,
    description: 'The <mail-server-settings> web component (Lit) and its React wrapper.',
    // The project states no licence; UNLICENSED is npm's word for "no rights granted".
    license: rootPackage.license ?? 'UNLICENSED',
    type: 'module',
    // Importing the element module (or the bundle) defines <mail-server-settings>: never drop it.
    // The React module only calls createComponent; it imports the element module, which keeps the define.
    sideEffects: ['./dist/mail-server-settings.js', './dist/mail-server-settings.bundle.js'],
    types: types('index'),
    module: './dist/mail-server-settings.js',
    customElements: 'custom-elements.json',
    exports: {
      '.': { types: types('index'), import: './dist/mail-server-settings.js' },
      './react': { types: types('react'), import: './dist/react.js' },
      './bundle': { types: types('index'), import: './dist/mail-server-settings.bundle.js' },
      './custom-elements.json': './custom-elements.json',
      './package.json': './package.json',
    },
    files: ['dist', 'types', 'custom-elements.json'],
    dependencies: {
      lit: rootPackage.dependencies.lit,
      '@lit/react': rootPackage.dependencies['@lit/react'],
    },
    // The React versions @lit/react supports; only hosts that import ./react need one.
    peerDependencies: { react: '17 || 18 || 19' },
    peerDependenciesMeta: { react: { optional: true } },
  };
}

export async function buildPackage(): Promise<string> {
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  const { chunks } = await buildWidget();
  // The bundle imports its language tables from the chunks next to it, by their file names.
  copyFileSync(widgetBundle, join(packageDir, 'dist/mail-server-settings.bundle.js'));
  for (const { file } of chunks) copyFileSync(file, join(packageDir, 'dist', basename(file)));
  copyFileSync(`${widgetBundle}.LEGAL.txt`, join(packageDir, 'dist/mail-server-settings.bundle.js.LEGAL.txt'));
  await buildModules();
  buildDeclarations();
  copyFileSync(join(root, 'custom-elements.json'), join(packageDir, 'custom-elements.json'));
  writeFileSync(join(packageDir, 'package.json'), `${JSON.stringify(packageJson(), null, 2)}\n`);
  return packageDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildPackage());
}
