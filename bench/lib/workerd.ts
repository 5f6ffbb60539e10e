// A Worker without `wrangler dev`'s proxy, entry worker and outbound interceptor, as in production:
// the `wrangler deploy --dry-run` bundle under plain `workerd serve` (no assets, no Queue).
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { unstable_readConfig } from 'wrangler';
import { freePort } from '../../scripts/lib/ports.ts';
import { startServerProcess, stopGroup } from '../../scripts/lib/processes.ts';
import { configurationMissing, projectRoot, wranglerCli } from '../../scripts/lib/stack.ts';

export interface WorkerdWorker {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function workerdBinary(): string {
  const require = createRequire(join(dirname(wranglerCli()), '..', 'package.json'));
  return join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
}

/** A capnp text literal: quotes, backslashes and control characters escaped; other text as UTF-8. */
const text = (value: string) =>
  `"${value.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;

/** `wrangler deploy --dry-run` into `dir`; resolves to the bundled module's file name there. */
async function bundle(wranglerToml: string, dir: string): Promise<string> {
  try {
    await promisify(execFile)(
      process.execPath,
      [wranglerCli(), 'deploy', '--dry-run', '--config', wranglerToml, '--outdir', dir],
      {
        cwd: projectRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
        timeout: 120_000,
      },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `wrangler deploy --dry-run --config ${wranglerToml} failed: ${String(error).split('\n')[0]}\n${tail}`,
    );
  }
  const modules = readdirSync(dir).filter((f) => f.endsWith('.js'));
  if (modules.length !== 1)
    throw new Error(`expected one bundled module in ${dir}, found: ${modules.join(', ') || 'none'}`);
  return modules[0]!;
}

/**
 * Serves the Worker of `wranglerToml` with plain workerd on a free loopback port: the toml's date,
 * flags and vars plus `vars`; `env` goes to the process (SSL_CERT_FILE: the CA workerd trusts).
 */
export async function serveWithWorkerd(
  name: string,
  wranglerToml: string,
  dir: string,
  options: {
    vars?: Record<string, string>;
    env?: Record<string, string>;
    readyPath?: string;
    onOutput?: (line: string) => void;
  } = {},
): Promise<WorkerdWorker> {
  const module = await bundle(wranglerToml, dir);
  const toml = unstable_readConfig({ config: wranglerToml });
  const tomlVars = Object.entries(toml.vars ?? {}).map(
    ([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)] as const,
  );
  const bindings = [...new Map([...tomlVars, ...Object.entries(options.vars ?? {})])].map(
    ([key, value]) => `(name = ${text(key)}, text = ${text(value)})`,
  );
  const port = await freePort();
  const config = join(dir, 'workerd.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "worker", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "worker")],
);
const worker :Workerd.Worker = (
  modules = [(name = ${text(module)}, esModule = embed ${text(module)})],
  compatibilityDate = ${text(toml.compatibility_date ?? '')},
  compatibilityFlags = [${(toml.compatibility_flags ?? []).map(text).join(', ')}],
  bindings = [${bindings.join(', ')}],
  globalOutbound = "loopback",
);
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = await startServerProcess(name, workerdBinary(), ['serve', config], {
    spawn: { cwd: dir, env: { PATH: process.env.PATH, ...options.env } },
    readyUrl: `${url}${options.readyPath ?? '/'}`,
    timeoutMs: 30_000,
    onOutput: options.onOutput,
    hopeless: configurationMissing,
  });
  return { url, output, stop: () => stopGroup(child) };
}
