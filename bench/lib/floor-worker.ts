import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../scripts/lib/ports.ts';
import { spawnGroup, stopGroup } from '../../scripts/lib/processes.ts';
import { projectRoot, wranglerCli } from '../../scripts/lib/stack.ts';

/** bench/floor/worker.ts under `wrangler dev` (own port and state), trusting the CA in `SSL_CERT_FILE`. */
export async function startFloorWorker(env: Record<string, string>, vars: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'mss-bench-floor-'));
  const child = spawnGroup(
    process.execPath,
    [
      wranglerCli(), 'dev', '--config', join(projectRoot, 'bench/floor/wrangler.toml'),
      '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()),
      '--show-interactive-dev-session=false', '--persist-to', state,
      ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...env } },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForHttp(url, 60_000, () => child.exitCode === null);
  } catch (error) {
    await stop();
    throw new Error(`the benchmark's Nodemailer Worker did not start: ${String(error)}\n${output}`);
  }
  return { url, stop };
}
