import { buildNode } from '../../scripts/build-node.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startServerProcess, stopGroup } from '../../scripts/lib/processes.ts';
import { withDatabase, type ApiServer } from './with-database.ts';

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
export async function startNodeStack(options: NodeStackOptions): Promise<ApiServer> {
  const built = buildNode(); // meanwhile sqld starts
  built.catch(() => {}); // awaited below; a failure there is reported there
  return withDatabase(options, async (databaseUrl) => {
    const [{ bundle }, port] = await Promise.all([built, freePort()]);
    const { SSL_CERT_FILE, ...env } = options.env ?? {};
    const apiUrl = `http://127.0.0.1:${port}`;
    const args = [
      ...(process.env.BENCH_NODE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_NODE_PROF] : []),
      '--enable-source-maps',
      bundle,
    ];
    const { child, output } = await startServerProcess('the Node server', process.execPath, args, {
      spawn: {
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
      },
      readyUrl: `${apiUrl}/healthz`,
      timeoutMs: 30_000,
      onOutput: options.onOutput,
    });
    return { apiUrl, output, stop: () => stopGroup(child) };
  });
}
