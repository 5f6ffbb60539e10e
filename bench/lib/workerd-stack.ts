import { join } from 'node:path';
import { projectRoot } from '../../scripts/lib/stack.ts';
import type { NodeStackOptions } from './node-stack.ts';
import { withDatabase, type ApiServer } from './with-database.ts';
import { serveWithWorkerd } from './workerd.ts';

/** The API under plain `workerd serve` on a local sqld; the settings and test-send routes need no Queue or assets. */
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
