// `npm run dev`: the whole local stack on loopback — libSQL (sqld) with migrations, the API under
// `wrangler dev` with the demo page, a local mail sink that the system relay points at, and a local
// authorization server for each sign-in provider not configured in the environment, and a local
// DNS-over-HTTPS service with demo zones when unbound and dnsdist are installed.
// Ctrl-C / SIGTERM stops everything it started.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DNS_RESOLVER_URL } from '../api/config/config.ts';
import { OAUTH_PROVIDERS } from '../contract/values.ts';
import { ensureDevSecrets, readEnvFile, writeEnvFile } from './lib/dev-secrets.ts';
import { missingDnsPackages, startDnsService } from './lib/dns-service.ts';
import { DEMO_DOMAINS, DEMO_ZONES } from './lib/dns-zones.ts';
import { type AccessTokenVerifier, startMailSink } from './lib/mail-sink.ts';
import { OAUTH_ENV_NAMES, type OAuthEnv, startAuthServer } from './lib/oauth-server.ts';
import { freePort, isPortFree } from './lib/ports.ts';
import { projectRoot, startStack } from './lib/stack.ts';
import { buildWidget } from './build-widget.ts';

const env = process.env;
const port = Number(env.PORT ?? 8787);
const dataDir = env.DATA_DIR ?? join(projectRoot, '.data');

function numberFromEnv(name: string): number | undefined {
  return env[name] ? Number(env[name]) : undefined;
}

/**
 * The sink's ports of the last start when they are free again: settings saved against the sink (the
 * natural demo) keep working after a restart. MAIL_SINK_*_PORT win; new free ports otherwise.
 */
async function sinkPorts(file: string): Promise<{ smtpPort: number; httpPort: number }> {
  let last: { smtpPort?: unknown; httpPort?: unknown } = {};
  try {
    last = JSON.parse(readFileSync(file, 'utf8')) as typeof last;
  } catch {
    // first start in this data folder
  }
  const pick = async (fixed: number | undefined, previous: unknown) =>
    fixed ?? (typeof previous === 'number' && (await isPortFree(previous)) ? previous : await freePort());
  return {
    smtpPort: await pick(numberFromEnv('MAIL_SINK_SMTP_PORT'), last.smtpPort),
    httpPort: await pick(numberFromEnv('MAIL_SINK_HTTP_PORT'), last.httpPort),
  };
}

function ancestorPids(count: number): number[] {
  const pids: number[] = [];
  let pid = process.ppid;
  while (pids.length < count && pid > 1) {
    pids.push(pid);
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break; // no /proc (not Linux): the direct parent is watched
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops every started service once, in reverse order, on a signal or when npm or its shell is gone. */
function stopOnExit(stoppers: (() => Promise<void>)[]): (code: number) => Promise<void> {
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));
  // A killed `npm run` wrapper does not pass its signal on (and `sh -c` between us stays):
  // stop when npm or the shell is gone.
  const ancestors = ancestorPids(2);
  setInterval(() => {
    if (ancestors.some((pid) => !isAlive(pid))) void stopAll(0);
  }, 1000).unref();
  return stopAll;
}

/**
 * The sink's STARTTLS certificate (the API sends a token only over TLS), from a CA made once per data
 * folder, never the repository's test CA, whose key is public. `caBundle` adds it for this stack's
 * workerd only, to what NODE_EXTRA_CA_CERTS already names.
 */
function sinkCertificate() {
  const dir = join(dataDir, 'tls');
  if (!existsSync(join(dir, 'server.pem'))) {
    execFileSync('sh', [join(projectRoot, 'scripts', 'make-test-certs.sh'), dir], { stdio: 'ignore' });
  }
  const caBundle = join(dir, 'extra-ca.pem');
  const extra =
    env.NODE_EXTRA_CA_CERTS && existsSync(env.NODE_EXTRA_CA_CERTS) ? readFileSync(env.NODE_EXTRA_CA_CERTS) : '';
  writeFileSync(caBundle, `${extra}\n${readFileSync(join(dir, 'ca.pem'), 'utf8')}`);
  return { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')), caBundle };
}

/** The mail sink on the ports of the last start where free (settings saved against it keep working), remembered for the next. */
async function startSink(
  stoppers: (() => Promise<void>)[],
  verifiers: AccessTokenVerifier[],
  tls: { key: Buffer; cert: Buffer } | undefined,
) {
  mkdirSync(dataDir, { recursive: true });
  const sinkPortsFile = join(dataDir, 'sink-ports.json');
  const sink = await startMailSink({ ...(await sinkPorts(sinkPortsFile)), verifiers, tls });
  stoppers.push(() => sink.stop());
  writeFileSync(
    sinkPortsFile,
    JSON.stringify({ smtpPort: sink.smtpPort, httpPort: Number(new URL(sink.httpUrl).port) }),
  );
  return sink;
}

/**
 * Per sign-in provider: its variables from the environment when its client id is set there (they win),
 * nothing when `.dev.vars` has it (wrangler reads that file), else a local authorization server.
 */
async function signInProviders(
  stoppers: (() => Promise<void>)[],
  devVars: Map<string, string>,
  redirectUris: string[],
) {
  const vars: OAuthEnv = {};
  const verifiers: AccessTokenVerifier[] = [];
  const banner: string[] = [];
  for (const provider of OAUTH_PROVIDERS) {
    const names = OAUTH_ENV_NAMES[provider];
    const label = `${(provider === 'microsoft' ? 'Microsoft' : 'Google').padEnd(15)}sign-in `;
    if (env[names[0]] || devVars.has(names[0])) {
      for (const name of names) if (env[name]) vars[name] = env[name];
      banner.push(`${label}configured in ${env[names[0]] ? 'the environment' : '.dev.vars'}`);
      continue;
    }
    const server = await startAuthServer(provider, { redirectUris });
    stoppers.push(() => server.stop());
    Object.assign(vars, server.env);
    verifiers.push((user, token) => server.verifyAccessToken(token, user));
    banner.push(
      `${label}local authorization server at ${server.url}   (any account, no password; the mail sink at localhost takes its tokens)`,
    );
  }
  return { vars, verifiers, banner };
}

/**
 * DNS_RESOLVER_URL from the environment or `.dev.vars` when set; else the local DoH service with the
 * demo zones when unbound and dnsdist are installed; else the public default. The banner says which.
 */
async function dnsResolver(
  stoppers: (() => Promise<void>)[],
  devVars: Map<string, string>,
): Promise<{ vars: Record<string, string>; banner: string }> {
  const label = 'DNS resolver   ';
  if (env.DNS_RESOLVER_URL || devVars.has('DNS_RESOLVER_URL')) {
    const url = env.DNS_RESOLVER_URL;
    return {
      vars: url ? { DNS_RESOLVER_URL: url } : {},
      banner: `${label}${url ?? devVars.get('DNS_RESOLVER_URL')}   (configured in ${url ? 'the environment' : '.dev.vars'})`,
    };
  }
  const missing = missingDnsPackages();
  if (missing.length > 0) {
    return {
      vars: {},
      banner: `${label}${DEFAULT_DNS_RESOLVER_URL}   (public; apt-get install ${missing.join(' ')} for local demo zones)`,
    };
  }
  const dns = await startDnsService(DEMO_ZONES);
  stoppers.push(() => dns.stop());
  return {
    vars: { DNS_RESOLVER_URL: dns.url },
    banner: `${label}${dns.url}   (local unbound + dnsdist, demo domains ${DEMO_DOMAINS.join(', ')}; nothing else resolves)`,
  };
}

async function main() {
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = stopOnExit(stoppers);
  try {
    await buildWidget();
    const secrets = ensureDevSecrets(join(projectRoot, '.dev.vars'), {
      OPERATOR_API_KEY: env.OPERATOR_API_KEY,
    });
    const devVars = readEnvFile(join(projectRoot, '.dev.vars'));
    const apiOrigin = `http://127.0.0.1:${port}`;
    const publicUrl = env.PUBLIC_URL ?? devVars.get('PUBLIC_URL') ?? apiOrigin;
    const redirectUris = [...new Set([publicUrl, apiOrigin])].map((origin) => `${origin}/v1/oauth/callback`);
    const signIn = await signInProviders(stoppers, devVars, redirectUris);
    const tls = signIn.verifiers.length > 0 ? sinkCertificate() : undefined;
    const sink = await startSink(stoppers, signIn.verifiers, tls);
    const dns = await dnsResolver(stoppers, devVars);

    // Runtime settings that may carry credentials go through a private env file, not the command line.
    const runtimeEnv = join(dataDir, 'runtime.env');
    writeEnvFile(runtimeEnv, {
      SYSTEM_SMTP_URL: env.SYSTEM_SMTP_URL ?? `smtp://127.0.0.1:${sink.smtpPort}`,
      ...(env.OPERATOR_API_KEY ? { OPERATOR_API_KEY: env.OPERATOR_API_KEY } : {}),
      PUBLIC_URL: publicUrl,
      ...signIn.vars,
    });
    const stack = await startStack({
      dataDir,
      port,
      dbPort: numberFromEnv('DB_PORT'),
      envFiles: [join(projectRoot, '.dev.vars'), runtimeEnv],
      vars: {
        SYSTEM_FROM: env.SYSTEM_FROM ?? 'system@relay.localhost',
        MAIL_SINK_URL: sink.httpUrl,
        ...dns.vars,
      },
      env: tls ? { NODE_EXTRA_CA_CERTS: tls.caBundle } : {},
      onOutput: (line) => console.log(`[api] ${line}`),
    });
    stoppers.push(() => stack.stop());
    // `wrangler dev` fires no cron triggers: run the outbox sweeper every minute as production's cron does.
    const sweeper = setInterval(() => {
      stack
        .runScheduled()
        .catch((error) =>
          console.error(`[api] outbox sweep failed: ${error instanceof Error ? error.message : error}`),
        );
    }, 60_000);
    stoppers.push(async () => clearInterval(sweeper));

    console.log(`
  mail-server-settings is running
    Demo page      ${stack.apiUrl}/
    API            ${stack.apiUrl}/v1/mail-server   (health: ${stack.apiUrl}/healthz)
    Mail sink      ${sink.httpUrl}   (SMTP 127.0.0.1:${sink.smtpPort}${env.SYSTEM_SMTP_URL ? '; the system relay is SYSTEM_SMTP_URL' : ', the system relay'}${tls ? '; sign-ins: STARTTLS, localhost' : ''})
    Database       ${stack.dbUrl}   (data in ${dataDir})
    ${signIn.banner.join('\n    ')}
    ${dns.banner}
    Operator key   ${env.OPERATOR_API_KEY ?? secrets.OPERATOR_API_KEY}
  Ctrl-C stops everything.
`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stopAll(1);
  }
}

await main();
