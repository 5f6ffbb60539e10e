// Builds the widget for CDN-style use: one minified ES module with Lit bundled, the English table as
// a chunk next to it, plus the demo host page, into dist/public (served by the Worker as static assets in development).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transformSync, type Plugin } from 'esbuild';
import { minify } from 'terser';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const widgetOutDir = join(root, 'dist/public');
export const widgetBundle = join(widgetOutDir, 'mail-server-settings.js');
/** The file names of the bundle's chunks (served from the same folder). */
export const chunkPrefix = 'mail-server-settings.chunk-';

/**
 * The styles' private custom properties (`--_space`, set from the public `--mss-*` ones) get short
 * names: one map for every stylesheet of the bundle, so a name means the same property everywhere.
 */
const shortNames = new Map<string, string>();
function shortName(name: string): string {
  if (!shortNames.has(name)) shortNames.set(name, (shortNames.size + 10).toString(36)); // a, b, … z, 10, …
  return shortNames.get(name)!;
}

/** Minified CSS, escaped for a template literal. */
function minifyCss(raw: string): string {
  return (
    transformSync(raw, { loader: 'css', minify: true, charset: 'utf8' })
      .code.trim()
      .replace(/(var\(--[\w-]+,) /g, '$1') // esbuild keeps the space before a fallback
      .replace(/(--[\w-]+): /g, '$1:') // and after a custom property's colon
      // `*` and `/` in calc() need no spaces (+ and - do).
      .replace(/calc\((?:[^()]|\([^()]*\))*\)/g, (calc) => calc.replace(/ ([*/]) /g, '$1'))
      .replace(/--_([\w-]+)/g, (_, name: string) => `--_${shortName(name)}`)
      .replace(/[\\`]/g, '\\$&')
  );
}

/**
 * esbuild keeps template literals verbatim, so Lit's templates would ship their indentation. This
 * plugin collapses the whitespace in html`` templates and minifies the CSS in css`` templates and
 * in `unsafeCSS(`…`)` (found with the TypeScript parser, so other strings and code stay untouched).
 */
const minifyLitTemplates: Plugin = {
  name: 'minify-lit-templates',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /components[\\/].*\.ts$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
      const edits: { start: number; end: number; text: string }[] = [];
      // Raw text between the delimiters (` or } at the start, ` or ${ at the end).
      const rawRange = (part: ts.TemplateLiteralLikeNode) => ({
        start: part.getStart(file) + 1,
        end: part.end - (ts.isNoSubstitutionTemplateLiteral(part) || ts.isTemplateTail(part) ? 1 : 2),
      });
      const visit = (node: ts.Node): void => {
        if (
          ts.isTaggedTemplateExpression(node) &&
          ts.isIdentifier(node.tag) &&
          ['html', 'css'].includes(node.tag.text)
        ) {
          const t = node.template;
          const parts = ts.isNoSubstitutionTemplateLiteral(t)
            ? [t]
            : [t.head, ...t.templateSpans.map((span) => span.literal)];
          for (const part of parts) {
            const { start, end } = rawRange(part);
            const raw = source.slice(start, end);
            const text =
              node.tag.text === 'css' && parts.length === 1
                ? minifyCss(raw)
                : raw
                    .replace(/>\s*\n\s*/g, '>')
                    .replace(/\s*\n\s*</g, '<')
                    .replace(/\s*\n\s*/g, ' ');
            edits.push({ start, end, text });
          }
        } else if (
          ts.isCallExpression(node) &&
          ts.isIdentifier(node.expression) &&
          node.expression.text === 'unsafeCSS' &&
          node.arguments.length === 1 &&
          ts.isNoSubstitutionTemplateLiteral(node.arguments[0]!)
        ) {
          const { start, end } = rawRange(node.arguments[0]);
          edits.push({ start, end, text: minifyCss(source.slice(start, end)) });
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      let contents = source;
      for (const edit of edits.sort((a, b) => b.start - a.start)) {
        contents = contents.slice(0, edit.start) + edit.text + contents.slice(edit.end);
      }
      return { contents, loader: 'ts' };
    });
  },
};

const isTranslation = (input: string) => /components[\\/].*[\\/]translations[\\/][^\\/]+\.ts$/.test(input);
const isComponentSource = (input: string) => /^components[\\/]/.test(input) && !isTranslation(input);

/**
 * The message keys that esbuild may shorten like private members. Each key is a property name
 * written out in every language table and at each use, so short names save about 200 bytes
 * gzip. Mangling renames a property everywhere in the bundle, so a key qualifies only if nothing
 * else could mean that property. Among the bundle's inputs (Lit and our sources), counting every
 * identifier and every string equal to the key: each translation table defines it once, as an
 * unquoted top-level key; components/ only reads it as `t.key` or `this._t.key`; nothing else
 * has it. Keys that are also field names, API fields, DOM or Lit properties (host, title,
 * errors …), string values (test, reset) or keys of the nested tables (looked up with strings)
 * keep their names.
 */
async function mangleableMessageKeys(entryPoint: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entryPoint],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const inputs = Object.keys(metafile.inputs).map((input) => ({
    input,
    file: ts.createSourceFile(input, readFileSync(join(root, input), 'utf8'), ts.ScriptTarget.Latest, true),
  }));
  const tables = inputs.filter(({ input }) => isTranslation(input));
  const isTopLevelKey = (node: ts.Node) =>
    ts.isIdentifier(node) &&
    ts.isPropertyAssignment(node.parent) &&
    node.parent.name === node &&
    !ts.findAncestor(node.parent.parent.parent, (up) => ts.isObjectLiteralExpression(up));
  const isMessagesRead = (node: ts.Node) => {
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.name !== node) return false;
    const object = access.expression;
    return (
      (ts.isIdentifier(object) && object.text === 't') ||
      (ts.isPropertyAccessExpression(object) &&
        object.expression.kind === ts.SyntaxKind.ThisKeyword &&
        object.name.text === '_t')
    );
  };
  const walk = (node: ts.Node, visit: (node: ts.Node) => void): void => {
    visit(node);
    ts.forEachChild(node, (child) => walk(child, visit));
  };

  const definitions = new Map<string, number>();
  for (const { file } of tables) {
    walk(file, (node) => {
      if (isTopLevelKey(node))
        definitions.set((node as ts.Identifier).text, (definitions.get((node as ts.Identifier).text) ?? 0) + 1);
    });
  }
  const rejected = new Set([...definitions].filter(([, count]) => count !== tables.length).map(([key]) => key));
  for (const { input, file } of inputs) {
    walk(file, (node) => {
      const text =
        ts.isIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) ? node.text : null;
      if (text === null || !definitions.has(text)) return;
      const allowed = isTranslation(input) ? isTopLevelKey(node) : isComponentSource(input) && isMessagesRead(node);
      if (!allowed) rejected.add(text);
    });
  }
  return [...definitions.keys()].filter((key) => !rejected.has(key));
}

/** The demo's React host page (development only): React and the widget's React wrapper in one module of its own. */
async function buildReactDemo(): Promise<void> {
  await build({
    entryPoints: [join(root, 'demo/react.tsx')],
    outfile: join(widgetOutDir, 'react.js'),
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'demo/react.html'), join(widgetOutDir, 'react.html'));
}

export interface WidgetBuild {
  bundle: string;
  bytes: number;
  gzipBytes: number;
  /** The chunks loaded on demand (the English table), next to the bundle. */
  chunks: { file: string; bytes: number; gzipBytes: number }[];
}

// gzip -9 as the benchmark measures it (bench/widget.ts): the figure the widget's 22 KB budget is about.
const sizes = (code: string) => ({ bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length });

export async function buildWidget(): Promise<WidgetBuild> {
  mkdirSync(widgetOutDir, { recursive: true });
  // Chunks carry a content hash in their name: the ones of an earlier build go.
  for (const file of readdirSync(widgetOutDir)) if (file.startsWith(chunkPrefix)) rmSync(join(widgetOutDir, file));
  const entryPoint = join(root, 'components/index.ts');
  const messageKeys = await mangleableMessageKeys(entryPoint);
  const { metafile } = await build({
    entryPoints: { 'mail-server-settings': entryPoint },
    outdir: widgetOutDir,
    // The English table is imported dynamically: a chunk of its own, fetched relative to the bundle.
    splitting: true,
    entryNames: '[name]',
    chunkNames: `${chunkPrefix}[name]-[hash]`,
    metafile: true,
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.json'),
    // Lit's licence notices go to mail-server-settings.js.LEGAL.txt next to the bundle (a link
    // comment in the bundle would cost bytes on every load).
    legalComments: 'external',
    // Module scripts are always decoded as UTF-8; escaping umlauts would only add bytes.
    charset: 'utf8',
    // Private members are named `_x` (Lit's convention); Lit's own internals are `_$x`. Message
    // keys that name nothing else are shortened too (see mangleableMessageKeys).
    mangleProps: new RegExp(`^(?:_[a-zA-Z]${messageKeys.map((key) => `|${key}$`).join('')})`),
    logLevel: 'warning',
    plugins: [minifyLitTemplates],
  });
  const outputs = Object.keys(metafile.outputs)
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(root, file));
  const built: Record<string, ReturnType<typeof sizes>> = {};
  for (const file of outputs) {
    // A second pass with terser: its compressor finds what esbuild's minifier leaves (about 200 bytes
    // gzip, measured on 2026-11-27; a third pass 21 more on 2026-12-07). Property names stay as esbuild mangled them.
    const { code } = await minify(readFileSync(file, 'utf8'), {
      module: true,
      ecma: 2020,
      compress: { passes: 3 },
      mangle: true,
    });
    if (!code) throw new Error(`terser returned no code for ${file}`);
    writeFileSync(file, code);
    built[file] = sizes(code);
  }
  copyFileSync(join(root, 'demo/index.html'), join(widgetOutDir, 'index.html'));
  await buildReactDemo();
  const chunks = outputs.filter((file) => file !== widgetBundle).map((file) => ({ file, ...built[file]! }));
  return { bundle: widgetBundle, ...built[widgetBundle]!, chunks };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bundle, bytes, gzipBytes, chunks } = await buildWidget();
  for (const chunk of [{ file: bundle, bytes, gzipBytes }, ...chunks]) {
    console.log(`${chunk.file} (${chunk.bytes} bytes minified, ${chunk.gzipBytes} bytes gzip)`);
  }
}
