// Node counterpart of the Worker's ASSETS binding: serves the built widget (dist/public) to the
// app, which decides what may be served (the widget everywhere, the demo page in development).

import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A minimal `Fetcher` over a directory: GET/HEAD of files below it, 404 for everything else. */
export function directoryAssets(directory: string): Fetcher {
  const root = resolve(directory);
  const fetchAsset = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return new Response(null, { status: 404 });
    }
    if (path.includes('\0')) return new Response(null, { status: 404 });
    let file = resolve(root, `.${path}`);
    if (file !== root && !file.startsWith(root + sep)) return new Response(null, { status: 404 });
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': String(body.byteLength),
      };
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
    } catch {
      return new Response(null, { status: 404 });
    }
  };
  return { fetch: fetchAsset } as unknown as Fetcher;
}
