import { createServer, type Server } from 'node:http';
import { freePort } from '../../scripts/lib/ports.ts';

/** An HTTP proxy in front of sqld that counts round trips, to show what each API call costs. */
export async function startCountingProxy(target: string): Promise<{ url: string; count: () => number; reset: () => void; stop: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer(async (req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const responseHeaders = Object.fromEntries(
      [...upstream.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k)),
    );
    res.writeHead(upstream.status, responseHeaders);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => requests,
    reset: () => void (requests = 0),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
