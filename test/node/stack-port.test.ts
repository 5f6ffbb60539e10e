// `npm run dev` (startStack) on a port another process holds: a clear error at once, not a
// "running" banner that /healthz of whatever holds the port would have confirmed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startStack } from '../../scripts/lib/stack.ts';

it('a taken API port is refused before wrangler starts, naming PORT', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-port-'));
  try {
    const started = Date.now();
    await expect(startStack({ dataDir, port })).rejects.toThrow(
      `port ${port} is in use (another copy of npm run dev?); choose another with PORT=<port>`,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  } finally {
    holder.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
