// The widget's bundle size (minified + gzip, Lit included), its language chunks and what a page
// downloads at first (the bundle and its language's table), and the time from loading its module to
// a rendered, populated form in headless Chromium against the stack.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { WidgetBuild } from '../scripts/build-widget.ts';
import { launchBrowser } from '../test/browser/support/harness.ts';
import type { BenchStack } from './lib/stack.ts';
import { median, percentile } from './lib/stats.ts';

export interface WidgetFigures {
  bundleBytes: number;
  gzipBytes: number;
  /** Module import start → form populated with the saved host, per run (ms). */
  samples: number[];
  medianMs: number;
  p90Ms: number;
  /** The sizes of the chunks and of the first download per language, one line each. */
  sizeLines: string[];
}

/** Each chunk's size, and per language the bundle plus that language's chunk (what a page loads first). */
function sizeLines(widget: WidgetBuild): string[] {
  const lines: string[] = [];
  for (const chunk of widget.chunks) {
    const name = /chunk-(\w+)-/.exec(basename(chunk.file))?.[1] ?? '?';
    lines.push(`  ${basename(chunk.file)}: ${chunk.bytes} bytes minified, ${chunk.gzipBytes} bytes gzip`);
    // The check chunk comes at the first Test or Save; a language's table at the first render.
    if (name !== 'check')
      lines.push(
        `  first download, page in "${name}": ${widget.gzipBytes + chunk.gzipBytes} bytes gzip (bundle + its table)`,
      );
  }
  const total = widget.chunks.reduce((sum, chunk) => sum + chunk.gzipBytes, widget.gzipBytes);
  lines.push(`  everything (bundle + every chunk): ${total} bytes gzip`);
  return lines;
}

// The page sets the token before the element is defined (Lit keeps it), then times the import
// until the shadow DOM shows the saved host name.
const page = (
  apiUrl: string,
  token: string,
  host: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head>
<body><mail-server-settings api-base="${apiUrl}"></mail-server-settings><script type="module">
  const el = document.querySelector('mail-server-settings');
  el.token = ${JSON.stringify(token)};
  const start = performance.now();
  await import('/mail-server-settings.js');
  const populated = () => el.shadowRoot?.querySelector('#host')?.value === ${JSON.stringify(host)};
  while (!populated()) {
    await el.updateComplete;
    if (!populated()) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  window.elapsed = performance.now() - start;
</script></body></html>`;

/** `widget`: the widget built by the benchmark's start (scripts/build-widget.ts). */
export async function benchWidget(stack: BenchStack, widget: WidgetBuild, runs = 21): Promise<WidgetFigures> {
  const code = readFileSync(widget.bundle);
  const chunks = new Map(widget.chunks.map((chunk) => [`/${basename(chunk.file)}`, readFileSync(chunk.file)]));

  const tenant = `bench-widget-${Date.now()}`;
  const token = await stack.token(tenant);
  const host = 'smtp.bench.example.com';
  const put = await fetch(`${stack.apiUrl}/v1/mail-server`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      host,
      security: 'starttls',
      auth: { method: 'plain', username: 'bench', password: 'bench-pass' },
    }),
  });
  if (!put.ok) throw new Error(`widget bench: PUT settings failed: HTTP ${put.status} ${await put.text()}`);

  const html = page(stack.apiUrl, token, host);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    const module = path === '/mail-server-settings.js' ? code : chunks.get(path);
    res.writeHead(200, { 'content-type': module ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' });
    res.end(module ?? html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const browser = await launchBrowser();
  const samples: number[] = [];
  try {
    const tab = await browser.newPage();
    for (let i = 0; i < runs + 2; i++) {
      await tab.goto(url);
      const elapsed = await tab.waitForFunction(() => (window as unknown as { elapsed?: number }).elapsed, null, {
        timeout: 10_000,
      });
      if (i >= 2) samples.push((await elapsed.jsonValue()) as number); // two warm-up runs
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
  return {
    bundleBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    samples,
    medianMs: median(samples),
    p90Ms: percentile(samples, 90),
    sizeLines: sizeLines(widget),
  };
}
