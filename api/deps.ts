import type { MiddlewareHandler } from 'hono';
import { SecretBox } from './crypto/secret-box.ts';
import { getDatabase } from './db/client.ts';
import type { AppEnv, Bindings, Capabilities, Database, Deps, Runtime } from './env.ts';
import { ApiError } from './errors.ts';

/** What each runtime can honour (DESIGN.md §3): Workers block port 25 and cannot skip certificate checks. */
export function capabilitiesFor(runtime: Runtime): Capabilities {
  return runtime === 'workers'
    ? { runtime, allowUntrustedCertificate: false, blockedPorts: [25] }
    : { runtime, allowUntrustedCertificate: true, blockedPorts: [] };
}

/** The secrets and vars a deployment needs; `/healthz` names the missing ones. */
export const REQUIRED_CONFIG = ['DATABASE_URL', 'TENANT_TOKEN_SECRET', 'SETTINGS_ENCRYPTION_KEY'] as const;

export function missingConfig(env: Bindings): string[] {
  return REQUIRED_CONFIG.filter((name) => !env[name]);
}

export function systemFrom(env: Bindings): string {
  return env.SYSTEM_FROM || 'no-reply@localhost.localdomain';
}

export async function secretBox(env: Bindings): Promise<SecretBox> {
  if (!env.SETTINGS_ENCRYPTION_KEY) throw new ApiError(503, 'service_unavailable');
  return SecretBox.fromConfig(env.SETTINGS_ENCRYPTION_KEY);
}

export type DepsFactory = (env: Bindings) => Deps;

/** The production wiring: libSQL over HTTP from DATABASE_URL, the real clock. */
export function defaultDeps(runtime: Runtime): DepsFactory {
  const capabilities = capabilitiesFor(runtime);
  return (env) => {
    let db: Database | undefined;
    return {
      get db() {
        if (!env.DATABASE_URL) throw new ApiError(503, 'service_unavailable');
        return (db ??= getDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN));
      },
      capabilities,
      now: () => new Date(),
    };
  };
}

export function depsMiddleware(factory: DepsFactory): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('deps', factory(c.env));
    await next();
  };
}
