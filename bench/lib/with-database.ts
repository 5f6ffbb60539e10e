import { join } from 'node:path';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { startSqld } from '../../scripts/lib/sqld.ts';

export interface ApiServer {
  apiUrl: string;
  /** The server's last lines of output. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A local sqld under `dataDir/db` with the migrations applied, and the API server `start` runs on
 * it (at the URL `databaseUrlFor` gives, e.g. a counting proxy). They stop together; sqld also
 * stops when the server does not start.
 */
export async function withDatabase(
  options: { dataDir: string; databaseUrlFor?: (sqldUrl: string) => Promise<string> },
  start: (databaseUrl: string) => Promise<ApiServer>,
): Promise<ApiServer> {
  const sqld = await startSqld(join(options.dataDir, 'db'));
  try {
    await applyMigrations(sqld.url);
    const server = await start(options.databaseUrlFor ? await options.databaseUrlFor(sqld.url) : sqld.url);
    return {
      ...server,
      stop: async () => {
        await server.stop();
        await sqld.stop();
      },
    };
  } catch (error) {
    await sqld.stop();
    throw error;
  }
}
