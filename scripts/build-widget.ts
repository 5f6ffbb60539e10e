// Builds the widget for CDN-style use: one minified ES module with Lit bundled, plus the demo
// host page, into dist/public (served by the Worker as static assets in development).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transformSync, type Plugin } from 'esbuild';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const widgetOutDir = join(root, 'dist/public');
export const widgetBundle = join(widgetOutDir, 'mail-server-settings.js');

/**
 * esbuild keeps template literals verbatim, so Lit's html`` and css`` templates would ship their
 * indentation. This plugin collapses the whitespace in html`` templates and minifies css``
 * templates (found with the TypeScript parser, so other strings and code stay untouched).
 */
const minifyLitTemplates: Plugin = {
  name: 'minify-lit-templates',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /components[\\/].*\.ts$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
      const edits: { start: number; end: number; text: string }[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && ['html', 'css'].includes(node.tag.text)) {
          const t = node.template;
          const parts = ts.isNoSubstitutionTemplateLiteral(t) ? [t] : [t.head, ...t.templateSpans.map((span) => span.literal)];
          for (const part of parts) {
            // Raw text between the delimiters (` or } at the start, ` or ${ at the end).
            const start = part.getStart(file) + 1;
            const end = part.end - (ts.isNoSubstitutionTemplateLiteral(part) || ts.isTemplateTail(part) ? 1 : 2);
            const raw = source.slice(start, end);
            const text =
              node.tag.text === 'css' && parts.length === 1
                ? transformSync(raw, { loader: 'css', minify: true, charset: 'utf8' }).code.trim().replace(/[\\`]/g, '\\$&')
                : raw.replace(/>\s*\n\s*/g, '>').replace(/\s*\n\s*</g, '<').replace(/\s*\n\s*/g, ' ');
            edits.push({ start, end, text });
          }
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

export async function buildWidget(): Promise<{ bundle: string; bytes: number }> {
  mkdirSync(widgetOutDir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'components/index.ts')],
    outfile: widgetBundle,
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.json'),
    // Lit's licence notices go to mail-server-settings.js.LEGAL.txt, linked from the bundle.
    legalComments: 'linked',
    // Module scripts are always decoded as UTF-8; escaping umlauts would only add bytes.
    charset: 'utf8',
    // Private members are named `_x` (Lit's convention); Lit's own internals are `_$x`.
    mangleProps: /^_[a-zA-Z]/,
    metafile: true,
    logLevel: 'warning',
    plugins: [minifyLitTemplates],
  });
  copyFileSync(join(root, 'demo/index.html'), join(widgetOutDir, 'index.html'));
  const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'))?.[1].bytes ?? 0;
  return { bundle: widgetBundle, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bundle, bytes } = await buildWidget();
  console.log(`${bundle} (${bytes} bytes minified)`);
}
