// A Worker as production runs it, without `wrangler dev`: the bundle `wrangler deploy` would
// upload (built with --dry-run) served by plain `workerd serve`, the runtime wrangler ships. No
// dev proxy in front, no Miniflare entry worker, no outbound interceptor behind: requests reach
// the Worker directly and its fetches and sockets go straight to loopback.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/ports.ts';
import { startServerProcess, stopGroup } from '../../scripts/lib/processes.ts';
import { projectRoot, wranglerCli } from '../../scripts/lib/stack.ts';

export interface WorkerdWorker {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function workerdBinary(): string {
  const require = createRequire(join(dirname(wranglerCli()), '..', 'package.json'));
  return join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
}

/** The compatibility date and flags and `[vars]` of a wrangler.toml (the flat `KEY = "value"` lines this project uses). */
function readWranglerToml(file: string): { compatibilityDate: string; compatibilityFlags: string[]; vars: Record<string, string> } {
  const text = readFileSync(file, 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (!date) throw new Error(`${file}: no compatibility_date`);
  const flags = [.../^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1]?.matchAll(/"([^"]+)"/g) ?? []].map((m) => m[1]!);
  const vars: Record<string, string> = {};
  const section = /^\[vars\]\n([\s\S]*?)(?=^\[)/m.exec(text)?.[1] ?? '';
  for (const m of section.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)) vars[m[1]!] = m[2]!;
  return { compatibilityDate: date, compatibilityFlags: flags, vars };
}

/** A capnp text literal (JSON's escapes are a subset capnp reads). */
const text = (value: string) => JSON.stringify(value);

/**
 * Bundles the Worker of `wranglerToml` as `wrangler deploy` would and serves it with plain workerd
 * on a free loopback port, with the toml's vars plus `vars` as text bindings. Bindings workerd
 * cannot serve alone (Queues, static assets) are left out: the routes measured here use neither.
 * `env` goes to the workerd process (SSL_CERT_FILE: the CA it trusts for TLS to the SMTP server).
 */
export async function serveWithWorkerd(
  name: string,
  wranglerToml: string,
  dir: string,
  options: { vars?: Record<string, string>; env?: Record<string, string>; readyPath?: string; onOutput?: (line: string) => void } = {},
): Promise<WorkerdWorker> {
  await promisify(execFile)(process.execPath, [wranglerCli(), 'deploy', '--dry-run', '--config', wranglerToml, '--outdir', dir], {
    cwd: projectRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const toml = readWranglerToml(wranglerToml);
  const port = await freePort();
  const bindings = Object.entries({ ...toml.vars, ...options.vars }).map(([key, value]) => `(name = ${text(key)}, text = ${text(value)})`);
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
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = ${text(toml.compatibilityDate)},
  compatibilityFlags = [${toml.compatibilityFlags.map(text).join(', ')}],
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
  });
  return { url, output, stop: () => stopGroup(child) };
}
