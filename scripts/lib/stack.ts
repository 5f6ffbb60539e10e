import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from './migrate.ts';
import { freePort, isPortFree } from './ports.ts';
import { startServerProcess, stopGroup } from './processes.ts';
import { startSqld } from './sqld.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** Directory for sqld's data and wrangler's local state. */
  dataDir: string;
  /** API port; a free one when omitted. */
  port?: number;
  /** Fixed sqld port; a free one when omitted. */
  dbPort?: number;
  /** Env files with secrets for wrangler (`--env-file`); wrangler reads `.dev.vars` when omitted. */
  envFiles?: string[];
  /** Plain vars passed with `--var` (ENVIRONMENT, DATABASE_URL and ALLOW_PRIVATE_HOSTS are set here). */
  vars?: Record<string, string>;
  /** Extra environment for the wrangler process (e.g. SSL_CERT_FILE for a test CA). */
  env?: Record<string, string>;
  /** Lets a caller put something between the Worker and sqld (the benchmark counts round trips). */
  databaseUrlFor?: (sqldUrl: string) => Promise<string>;
  /** Receives every line wrangler prints. */
  onOutput?: (line: string) => void;
}

export interface Stack {
  apiUrl: string;
  dbUrl: string;
  /** wrangler's last lines of output. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL to wrangler and workerd, as a crash would (sqld is stopped normally). */
  kill(): Promise<void>;
  /** Runs the Worker's cron handler now (the outbox sweeper). */
  runScheduled(): Promise<void>;
}

export function wranglerCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

/** /healthz says the database is fine but settings are missing or unusable: waiting will not help. */
export function configurationMissing(status: number, body: string): string | null {
  try {
    const health = JSON.parse(body) as { database?: string; missing?: string[] };
    if (status === 503 && health.database === 'ok' && health.missing?.length) {
      return `the API is up but not configured: ${health.missing.join(', ')} (see README.md, "Local run")`;
    }
  } catch {
    // not the health answer (yet)
  }
  return null;
}

/** `wrangler dev` on loopback with the stack's vars, persisted state and the scheduled-event route. */
function wranglerDevArgs(options: StackOptions, port: number, inspectorPort: number, vars: Record<string, string>) {
  return [
    wranglerCli(),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--persist-to',
    join(options.dataDir, 'wrangler'),
    '--test-scheduled',
    ...(options.envFiles ?? []).flatMap((file) => ['--env-file', file]),
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ];
}

/** sqld + migrations + `wrangler dev` on loopback, ready when /healthz answers 200. */
export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.dataDir, { recursive: true });
  const sqld = await startSqld(join(options.dataDir, 'db'), options.dbPort);
  try {
    await applyMigrations(sqld.url);
    // Checked first: /healthz of another copy on that port would look like this one being ready.
    if (options.port !== undefined && !(await isPortFree(options.port))) {
      throw new Error(`port ${options.port} is in use (another copy of npm run dev?); choose another with PORT=<port>`);
    }
    const port = options.port ?? (await freePort());
    const inspectorPort = await freePort();
    const databaseUrl = options.databaseUrlFor ? await options.databaseUrlFor(sqld.url) : sqld.url;
    const vars = {
      ENVIRONMENT: 'development',
      ALLOW_PRIVATE_HOSTS: 'true',
      ALLOWED_ORIGINS: '*',
      ...options.vars,
      DATABASE_URL: databaseUrl,
    };
    const args = wranglerDevArgs(options, port, inspectorPort, vars);
    const apiUrl = `http://127.0.0.1:${port}`;
    const { child: wrangler, output } = await startServerProcess('wrangler dev', process.execPath, args, {
      spawn: {
        cwd: projectRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...options.env },
      },
      readyUrl: `${apiUrl}/healthz`,
      timeoutMs: 60_000,
      onOutput: options.onOutput,
      hopeless: configurationMissing,
    });
    return {
      apiUrl,
      dbUrl: sqld.url,
      output,
      stop: async () => {
        await stopGroup(wrangler);
        await sqld.stop();
      },
      kill: async () => {
        await stopGroup(wrangler, 0);
        await sqld.stop();
      },
      runScheduled: async () => {
        const res = await fetch(`${apiUrl}/__scheduled?cron=*+*+*+*+*`);
        if (!res.ok) throw new Error(`scheduled handler failed: HTTP ${res.status}`);
        await res.arrayBuffer();
      },
    };
  } catch (error) {
    await sqld.stop();
    throw error;
  }
}
