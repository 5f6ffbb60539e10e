import { join } from 'node:path';
import { projectRoot } from '../../scripts/lib/stack.ts';
import type { NodeStackOptions } from './node-stack.ts';
import { withDatabase, type ApiServer } from './with-database.ts';
import { serveWithWorkerd } from './workerd.ts';

/**
 * The API's Worker bundle under plain `workerd serve` (bench/lib/workerd.ts) on a local sqld:
 * the Workers runtime without `wrangler dev`'s proxy and Miniflare, as production has neither.
 * No Queue and no static assets: the settings and test-send routes need neither. The options are
 * the Node stack's; `env` goes to the workerd process (SSL_CERT_FILE: a test CA workerd trusts).
 */
export function startWorkerdStack(options: NodeStackOptions): Promise<ApiServer> {
  return withDatabase(options, async (databaseUrl) => {
    const worker = await serveWithWorkerd(
      'the API under plain workerd',
      join(projectRoot, 'wrangler.toml'),
      join(options.dataDir, 'worker'),
      {
        vars: {
          ENVIRONMENT: 'development',
          ALLOW_PRIVATE_HOSTS: 'true',
          ALLOWED_ORIGINS: '*',
          ...options.config,
          DATABASE_URL: databaseUrl,
        },
        env: options.env,
        readyPath: '/healthz',
        onOutput: options.onOutput,
      },
    );
    return { apiUrl: worker.url, output: worker.output, stop: worker.stop };
  });
}
