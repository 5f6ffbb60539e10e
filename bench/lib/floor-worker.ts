import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/ports.ts';
import { startServerProcess, stopGroup } from '../../scripts/lib/processes.ts';
import { projectRoot, wranglerCli } from '../../scripts/lib/stack.ts';
import { serveWithWorkerd } from './workerd.ts';

const floorToml = join(projectRoot, 'bench/floor/wrangler.toml');

/**
 * bench/floor/worker.ts run as the API is: under `wrangler dev` (own port and state), or bundled
 * for plain workerd (POST / only: no Queue there). Trusts the CA in `env.SSL_CERT_FILE`.
 */
export async function startFloorWorker(
  env: Record<string, string>,
  vars: Record<string, string> = {},
  runtime: 'workers' | 'workerd' = 'workers',
): Promise<{ url: string; stop(): Promise<void> }> {
  const state = mkdtempSync(join(tmpdir(), 'mss-bench-floor-'));
  if (runtime === 'workerd') {
    try {
      const worker = await serveWithWorkerd("the benchmark's Nodemailer Worker under plain workerd", floorToml, state, {
        env,
        vars,
      });
      return {
        url: worker.url,
        stop: async () => {
          await worker.stop();
          rmSync(state, { recursive: true, force: true });
        },
      };
    } catch (error) {
      rmSync(state, { recursive: true, force: true });
      throw error;
    }
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    wranglerCli(),
    'dev',
    '--config',
    floorToml,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(await freePort()),
    '--show-interactive-dev-session=false',
    '--persist-to',
    state,
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ];
  try {
    const { child } = await startServerProcess("the benchmark's Nodemailer Worker", process.execPath, args, {
      spawn: {
        cwd: projectRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...env },
      },
      readyUrl: url,
      timeoutMs: 60_000,
    });
    return {
      url,
      stop: async () => {
        await stopGroup(child);
        rmSync(state, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(state, { recursive: true, force: true });
    throw error;
  }
}
