import { join } from 'node:path';
import { buildNode } from '../../scripts/build-node.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { freePort, waitForHttp } from '../../scripts/lib/ports.ts';
import { spawnGroup, stopGroup } from '../../scripts/lib/processes.ts';
import { startSqld } from '../../scripts/lib/sqld.ts';

export interface NodeStackOptions {
  dataDir: string;
  /** Secrets and vars under the Worker's binding names. */
  config: Record<string, string>;
  /** Extra environment (SSL_CERT_FILE becomes NODE_EXTRA_CA_CERTS: Node's name for a test CA). */
  env?: Record<string, string>;
  databaseUrlFor?: (sqldUrl: string) => Promise<string>;
  onOutput?: (line: string) => void;
}

/**
 * The same app as `npm run start:node` runs it (the esbuild bundle under plain Node, its in-process
 * outbox), on the same kind of database as the Workers stack: a local sqld over HTTP. So the
 * benchmark can show what the API's own code costs without wrangler dev's proxy and Miniflare.
 */
export async function startNodeStack(options: NodeStackOptions): Promise<{ apiUrl: string; stop(): Promise<void> }> {
  const [{ bundle }, sqld, port] = await Promise.all([buildNode(), startSqld(join(options.dataDir, 'db')), freePort()]);
  try {
    await applyMigrations(sqld.url);
    const databaseUrl = options.databaseUrlFor ? await options.databaseUrlFor(sqld.url) : sqld.url;
    const { SSL_CERT_FILE, ...env } = options.env ?? {};
    const child = spawnGroup(process.execPath, [...(process.env.BENCH_NODE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_NODE_PROF] : []), '--enable-source-maps', bundle], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...env,
        ...(SSL_CERT_FILE ? { NODE_EXTRA_CA_CERTS: SSL_CERT_FILE } : {}),
        ENVIRONMENT: 'development',
        ALLOW_PRIVATE_HOSTS: 'true',
        ALLOWED_ORIGINS: '*',
        ...options.config,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
    });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter((l) => l.trim())) {
          tail.push(line);
          if (tail.length > 40) tail.shift();
          options.onOutput?.(line);
        }
      });
    }
    const apiUrl = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${apiUrl}/healthz`, 30_000, () => child.exitCode === null);
    } catch (error) {
      await stopGroup(child);
      throw new Error(`the Node server did not start: ${String(error)}\n${tail.join('\n')}`);
    }
    return {
      apiUrl,
      stop: async () => {
        await stopGroup(child);
        await sqld.stop();
      },
    };
  } catch (error) {
    await sqld.stop();
    throw error;
  }
}
