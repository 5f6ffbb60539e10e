import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeEnvFile } from '../../scripts/lib/dev-secrets.ts';
import { startStack } from '../../scripts/lib/stack.ts';
import { startDbProxy } from '../../scripts/lib/db-proxy.ts';
import { startNodeStack } from './node-stack.ts';
import { startWorkerdStack } from './workerd-stack.ts';
import type { ApiServer } from './with-database.ts';

/**
 * Where the API runs: `wrangler dev` (workerd behind wrangler's proxy and Miniflare), the same
 * Worker bundle under plain `workerd serve` (no dev plumbing, as in production), or
 * `npm run start:node`'s server.
 */
export type Runtime = 'workers' | 'workerd' | 'node';
export const RUNTIMES: readonly Runtime[] = ['workers', 'workerd', 'node'];

export interface BenchStack {
  runtime: Runtime;
  apiUrl: string;
  operatorKey: string;
  /** Present when started with `countRoundTrips` (the proxy adds latency, so timing runs go without). */
  dbRoundTrips?: { count(): number; reset(): void };
  token(tenant: string): Promise<string>;
  /** The stack's last lines of output (its error logs say why a call failed). */
  logTail(): string;
  stop(): Promise<void>;
}

/** A throw-away local stack (own ports, own data), optionally with a round-trip counter in front of sqld. */
export async function startBenchStack(
  extra: {
    runtime?: Runtime;
    countRoundTrips?: boolean;
    vars?: Record<string, string>;
    env?: Record<string, string>;
  } = {},
): Promise<BenchStack> {
  const runtime = extra.runtime ?? 'workers';
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-bench-'));
  const operatorKey = `bench-${randomBytes(12).toString('hex')}`;
  const secrets = {
    TENANT_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    SETTINGS_ENCRYPTION_KEY: `b1:${randomBytes(32).toString('base64')}`,
    OPERATOR_API_KEY: operatorKey,
    // The benchmarks send through tenant servers only; /healthz (which startStack waits for)
    // needs a system relay configured: one that refuses connections will do.
    SYSTEM_SMTP_URL: 'smtp://127.0.0.1:1',
  };
  let proxy: Awaited<ReturnType<typeof startDbProxy>> | undefined;
  const common = {
    dataDir,
    env: extra.env,
    onOutput: process.env.BENCH_LOG ? (line: string) => console.error(`[${runtime}] ${line}`) : undefined,
    databaseUrlFor: extra.countRoundTrips
      ? async (url: string) => {
          proxy = await startDbProxy(url);
          return proxy.url;
        }
      : undefined,
  };
  let stack: ApiServer;
  try {
    if (runtime === 'node') {
      stack = await startNodeStack({ ...common, config: { ...secrets, ...extra.vars } });
    } else if (runtime === 'workerd') {
      stack = await startWorkerdStack({ ...common, config: { ...secrets, ...extra.vars } });
    } else {
      const envFile = join(dataDir, 'secrets.env');
      writeEnvFile(envFile, secrets);
      stack = await startStack({ ...common, envFiles: [envFile], vars: extra.vars });
    }
  } catch (error) {
    await proxy?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    runtime,
    apiUrl: stack.apiUrl,
    operatorKey,
    dbRoundTrips: proxy,
    logTail: () => {
      const output = stack.output();
      return output ? `\n--- the ${runtime} stack's last output ---\n${output}` : '';
    },
    token: async (tenant) => {
      const res = await fetch(
        `${stack.apiUrl}/dev/token?tenant=${encodeURIComponent(tenant)}&email=owner@${tenant}.example.com&name=Bench`,
      );
      return ((await res.json()) as { token: string }).token;
    },
    stop: async () => {
      await stack.stop();
      await proxy?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
