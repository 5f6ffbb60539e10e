// The widget as an integrator gets it: `npm pack` of dist/package, installed from the tarball into a
// throw-away project (registry only), then type-checked and bundled there with plain-TS and React
// examples. One install serves every check.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, packageName } from '../../scripts/build-package.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The ```ts and ```tsx examples of docs/widget.md's "As a package": what the docs show is what is checked. */
function docExamples(): { ts: string; tsx: string } {
  const docs = readFileSync(join(root, 'docs/widget.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## As a package')).split(/^## /m)[1] ?? '';
  const block = (lang: string) => new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(section)?.[1] ?? '';
  return { ts: block('ts'), tsx: block('tsx') };
}

// Each line is wrong in one way; the test expects tsc to report each of them.
const wrongExample = `
import { MailServerSettings as Element } from '${packageName}';
import { MailServerSettings } from '${packageName}/react';

const element = document.createElement('mail-server-settings');
element.getToken = 'a token';
element.addEventListener('mail-server-saved', (event) => event.detail.host);
export const a = <MailServerSettings apiBase={42} />;
export const b = <MailServerSettings onMailServerSaved={(event) => event.detail.smtpReply} />;
export const c: Element = element;
`;

const compilerOptions = {
  strict: true,
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  jsx: 'react-jsx',
  types: [],
  noEmit: true,
};

let dir: string;

async function typecheck(project: string): Promise<{ ok: boolean; output: string }> {
  try {
    await run(join(dir, 'node_modules/.bin/tsc'), ['-p', project], { cwd: dir });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: stdout + stderr };
  }
}

function writeJson(name: string, value: unknown): void {
  writeFileSync(join(dir, name), JSON.stringify(value, null, 2));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mss-package-'));
  const packageDir = await buildPackage();
  const { stdout } = await run('npm', ['pack', packageDir, '--pack-destination', dir, '--json'], { cwd: dir });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const dev = rootPackage.devDependencies;
  writeJson('package.json', {
    name: 'integrator',
    private: true,
    type: 'module',
    dependencies: {
      [packageName]: `file:./${filename}`,
      react: dev.react,
      'react-dom': dev['react-dom'],
    },
    devDependencies: {
      typescript: dev.typescript,
      esbuild: dev.esbuild,
      '@types/react': dev['@types/react'],
      '@types/react-dom': dev['@types/react-dom'],
    },
  });
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  const examples = docExamples();
  expect(examples.ts).toContain(`import '${packageName}';`);
  expect(examples.tsx).toContain(`from '${packageName}/react';`);
  writeFileSync(join(dir, 'plain.ts'), examples.ts);
  writeFileSync(join(dir, 'react.tsx'), examples.tsx);
  writeFileSync(join(dir, 'wrong.tsx'), wrongExample);
  writeJson('tsconfig.json', { compilerOptions, files: ['plain.ts', 'react.tsx'] });
  // Node's own resolution (what a project without a bundler, or with NodeNext, uses).
  writeJson('tsconfig.nodenext.json', {
    extends: './tsconfig.json',
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  });
  writeJson('tsconfig.wrong.json', { compilerOptions, files: ['wrong.tsx'] });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the widget package, installed from its tarball', () => {
  it('type-checks the plain and the React example (bundler and NodeNext resolution)', async () => {
    const [bundler, nodeNext] = await Promise.all([typecheck('tsconfig.json'), typecheck('tsconfig.nodenext.json')]);
    expect(bundler).toEqual({ ok: true, output: '' });
    expect(nodeNext).toEqual({ ok: true, output: '' });
  });

  it('rejects a wrong property, event detail, prop and handler', async () => {
    const { ok, output } = await typecheck('tsconfig.wrong.json');
    expect(ok).toBe(false);
    const errors = [...output.matchAll(/^wrong\.tsx\((\d+),\d+\): error (TS\d+)/gm)].map(([, line, code]) => [
      Number(line),
      code,
    ]);
    // Not assignable (2322), no such property on the detail (2339); line 10 is right.
    expect(errors).toEqual([
      [6, 'TS2322'],
      [7, 'TS2339'],
      [8, 'TS2322'],
      [9, 'TS2339'],
    ]);
  });

  it('bundles both examples with Lit from its dependency and the element defined', async () => {
    await run(
      join(dir, 'node_modules/.bin/esbuild'),
      [
        'plain.ts',
        'react.tsx',
        '--bundle',
        '--format=esm',
        '--outdir=out',
        '--metafile=meta.json',
        '--log-level=error',
      ],
      { cwd: dir },
    );
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    for (const [output, expected] of [
      ['out/plain.js', /node_modules\/lit-element\//],
      ['out/react.js', /node_modules\/@lit\/react\//],
    ] as const) {
      expect(Object.keys(meta.outputs[output]!.inputs).some((input) => expected.test(input))).toBe(true);
      // The bare import in the plain example survives only because sideEffects names the element module.
      expect(readFileSync(join(dir, output), 'utf8')).toMatch(/customElements\.define\(\s*"mail-server-settings"/);
    }
  });

  it('ships Lit inside the bundle only, and none of the API dependencies', () => {
    const installed = join(dir, 'node_modules', packageName);
    const element = readFileSync(join(installed, 'dist/mail-server-settings.js'), 'utf8');
    const bundle = readFileSync(join(installed, 'dist/mail-server-settings.bundle.js'), 'utf8');
    // Lit registers its version in these globals; only a copy of Lit contains them.
    expect(element).not.toMatch(/litElementVersions|reactiveElementVersions/);
    expect(element).toMatch(/from "lit"/);
    expect(bundle).toMatch(/litElementVersions/);
    expect(bundle).not.toMatch(/from\s*"lit/);
    // The bundle loads its language tables and the check panel from the chunks next to it: they are in the package.
    const chunks = [...bundle.matchAll(/import\("\.\/([^"]+)"\)/g)].map((match) => match[1]!);
    expect(chunks.map((chunk) => /chunk-(\w+)-/.exec(chunk)?.[1]).sort()).toEqual(['check', 'de', 'en']);
    for (const chunk of chunks) expect(existsSync(join(installed, 'dist', chunk))).toBe(true);

    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest.dependencies as object).sort()).toEqual(['@lit/react', 'lit']);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const apiDependencies = Object.keys(rootPackage.dependencies).filter((name) => !/^(lit|@lit\/react)$/.test(name));
    const leaked = apiDependencies.filter((name) => `node_modules/${name}` in lock.packages);
    expect(leaked).toEqual([]);
  });
});
