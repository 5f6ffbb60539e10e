import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './ports.ts';

export interface DbProxy {
  url: string;
  /** Requests passed through since the last reset (database round trips). */
  count(): number;
  /** The most requests that were in flight at once since the last reset. */
  maxInFlight(): number;
  /** The headers of the latest request (as the client sent them). */
  lastHeaders(): IncomingHttpHeaders | undefined;
  reset(): void;
  /** Requests whose body matches are held (never answered) from now on: a process "dies" mid-write. */
  holdWhen(predicate: ((body: string) => boolean) | null): void;
  /** Requests whose body matches reach sqld, but their answer is lost (the connection drops). */
  loseAnswerWhen(predicate: ((body: string) => boolean) | null): void;
  /** Resolves when a request was held. */
  held(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of sqld: the benchmark counts round trips with it, and the crash tests
 * hold a chosen write so the Worker can be killed between the SMTP server's "250" and the update.
 */
export async function startDbProxy(target: string): Promise<DbProxy> {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastHeaders: IncomingHttpHeaders | undefined;
  let hold: ((body: string) => boolean) | null = null;
  let lose: ((body: string) => boolean) | null = null;
  let onHeld: (() => void) | null = null;
  let heldPromise = new Promise<void>((resolve) => (onHeld = resolve));
  const server: Server = createServer(async (req, res) => {
    requests += 1;
    lastHeaders = req.headers;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (hold?.(body.toString('utf8'))) {
      onHeld?.();
      return; // never answered; the client's process is killed meanwhile
    }
    try {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const responseHeaders = Object.fromEntries(
        [...upstream.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k)),
      );
      const answer = Buffer.from(await upstream.arrayBuffer());
      if (lose?.(body.toString('utf8'))) return void res.socket?.destroy();
      res.writeHead(upstream.status, responseHeaders);
      res.end(answer);
    } catch {
      res.writeHead(502).end();
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => requests,
    maxInFlight: () => maxInFlight,
    lastHeaders: () => lastHeaders,
    reset: () => {
      requests = 0;
      maxInFlight = inFlight;
    },
    holdWhen: (predicate) => {
      hold = predicate;
      heldPromise = new Promise<void>((resolve) => (onHeld = resolve));
    },
    loseAnswerWhen: (predicate) => {
      lose = predicate;
    },
    held: () => heldPromise,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
