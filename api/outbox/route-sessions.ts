import type { SmtpErrorCode } from '../../contract/index.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { MailServerRow } from '../db/schema.ts';
import { domainOf } from '../smtp/address.ts';
import { openSender, type PooledSender } from '../smtp/pool.ts';
import { checkTarget } from '../smtp/target.ts';
import type { MailRuntime, NormalizedSmtpError, OutgoingMessage, SmtpSettings, SmtpTimeouts } from '../smtp/types.ts';
import { forgetIfRefused, loginRefused, smtpSettingsFromRow } from '../sending/credentials.ts';
import { accessTokenContext, settleStoredTokens } from '../oauth/access-token.ts';
import { breaksRoute, stallsRoute } from './policy.ts';
import type { RouteResult } from './attempt.ts';

/** Parallel SMTP sessions per route and batch: one session is serial, a few make up for round trips. */
export const CONNECTIONS_PER_ROUTE = 4;

export type RouteName = 'tenant' | 'system';

/** A route's settings, or why it cannot be used as configured; null: the tenant has no server. */
type RouteSettings = SmtpSettings | NormalizedSmtpError | null;

/** A route that cannot be used as configured; `transient` when the operator can mend it (a missing secret, a key rotation). */
const configError = (code: SmtpErrorCode, transient = false): NormalizedSmtpError => ({
  stage: 'connect',
  code,
  responseCode: null,
  response: null,
  transient,
});

/**
 * The tenant's saved server as engine settings, or the configuration problem (or dead sign-in) that
 * stops it; `stored`: a refreshed sign-in's tokens being written meanwhile.
 */
async function tenantRoute(
  server: MailServerRow | undefined,
  options: RouteSessionOptions,
): Promise<{ settings: RouteSettings; stored?: Promise<void> }> {
  if (!server) return { settings: null };
  const { config, runtime } = options;
  const blocked = checkTarget(server, { runtime, allowPrivateHosts: config.allowPrivateHosts });
  if (blocked) return { settings: configError(blocked.code) };
  try {
    const credentials = await smtpSettingsFromRow(server, await accessTokenContext(options));
    return credentials.ok
      ? { settings: credentials.settings, stored: credentials.stored }
      : { settings: credentials.error };
  } catch {
    return { settings: configError('credentials_unreadable', true) };
  }
}

function systemRoute(config: Config): SmtpSettings | NormalizedSmtpError {
  const relay = config.systemRelay;
  if (relay && !(relay instanceof Error)) return relay;
  console.error(`system relay unusable: ${relay?.message ?? 'SYSTEM_SMTP_URL is not set'}`);
  return configError('system_relay_not_configured', true);
}

export interface RouteSessionOptions {
  config: Config;
  /** Where a sign-in's tokens are (refreshed there, once for every isolate). */
  db: Database;
  now: () => Date;
  runtime: MailRuntime;
  timeouts?: Partial<SmtpTimeouts>;
}

/**
 * The SMTP sessions of one tenant's batch: one pooled session per route and slot, opened on first
 * use. A route whose settings are unusable, or that failed before any message was handed over,
 * fails every further send the same way.
 */
export class RouteSessions {
  private readonly routes: Record<RouteName, RouteSettings>;
  private readonly options: RouteSessionOptions;
  private readonly sessions = new Map<string, PooledSender>();
  private readonly broken = new Map<RouteName, NormalizedSmtpError>();
  private readonly stored: Promise<void> | undefined;
  private readonly server: MailServerRow | undefined;
  private forgotten: Promise<void> | undefined;

  private constructor(
    routes: Record<RouteName, RouteSettings>,
    options: RouteSessionOptions,
    server: MailServerRow | undefined,
    stored: Promise<void> | undefined,
  ) {
    this.routes = routes;
    this.options = options;
    this.server = server;
    this.stored = stored;
  }

  /** Each route's settings resolved once per batch; a configuration problem is an error of that route. */
  static async open(server: MailServerRow | undefined, options: RouteSessionOptions): Promise<RouteSessions> {
    const tenant = await tenantRoute(server, options);
    return new RouteSessions(
      { tenant: tenant.settings, system: systemRoute(options.config) },
      options,
      server,
      tenant.stored,
    );
  }

  async send(route: RouteName, slot: number, message: OutgoingMessage): Promise<RouteResult> {
    const settings = this.routes[route];
    if (!settings || 'stage' in settings) return { ok: false, error: settings ?? configError('not_configured') };
    const broken = this.broken.get(route);
    if (broken) return { ok: false, error: broken };
    const key = `${route}:${slot}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = openSender(settings, {
        runtime: this.options.runtime,
        timeouts: this.options.timeouts,
        clientName: domainOf(message.from.address),
        // The tenant's host name must not resolve to an internal address (Node; the relay is the operator's).
        ...(route === 'tenant' ? { addressGuard: { allowPrivateHosts: this.options.config.allowPrivateHosts } } : {}),
      });
      this.sessions.set(key, session);
    }
    const result = await session.send(message);
    if (!result.ok && breaksRoute(result.error)) this.broken.set(route, result.error);
    if (!result.ok && route === 'tenant' && loginRefused(result.error)) {
      this.forgotten ??= this.forgetIfRefused(settings, result.error);
    }
    return result;
  }

  /** Off the send's path, awaited at close. */
  private async forgetIfRefused(settings: SmtpSettings, error: NormalizedSmtpError): Promise<void> {
    const server = this.server!;
    await forgetIfRefused(
      await accessTokenContext(this.options),
      server.tenantId,
      server.oauthProvider,
      settings,
      error,
    );
  }

  /** The tenant's server did not answer in time before any message was handed over. */
  tenantStalled(): boolean {
    const broken = this.broken.get('tenant');
    return broken !== undefined && stallsRoute(broken);
  }

  async close(): Promise<void> {
    await Promise.all([
      ...[...this.sessions.values()].map((s) => s.close()),
      settleStoredTokens(this.stored),
      this.forgotten,
    ]);
  }
}
