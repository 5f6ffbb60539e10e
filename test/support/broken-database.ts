import { createServer, type Server } from 'node:http';

/**
 * An HTTP server in place of sqld that answers 200 and then drops the connection halfway through
 * the body: the database lost mid-answer, which the API must report as unavailable (503).
 */
export async function startBrokenDatabase(): Promise<{ port: number; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      // Cut off once the first bytes are out, so the client has begun reading the answer.
      res.write('{"baton":null,"base_url":null,"results":[', () => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
