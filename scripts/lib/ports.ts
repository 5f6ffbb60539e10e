import { createServer } from 'node:net';

/** Asks the OS for a free loopback port (another process may hold the usual ones). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether a loopback port can be listened on now (nothing else holds it). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls an HTTP URL until it answers 2xx or the deadline passes. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
  /** A reason to stop waiting at once, from an answer that will not change by itself (e.g. a setting missing). */
  hopeless: (status: number, body: string) => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process serving ${url} exited`);
    let answer: { status: number; body: string } | undefined;
    try {
      const res = await fetch(url);
      if (res.ok) return;
      answer = { status: res.status, body: (await res.text()).slice(0, 500) };
      lastError = new Error(`HTTP ${answer.status}: ${answer.body}`);
    } catch (error) {
      lastError = error;
    }
    const reason = answer && hopeless(answer.status, answer.body);
    if (reason) throw new Error(reason);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
}
