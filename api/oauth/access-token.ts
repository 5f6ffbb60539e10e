// An access token for a send: the stored one while it lasts, else one refresh per grant at a time
// (the refresh lock is in the database, so this holds across Worker isolates and Node processes).
import type { OAuthProvider } from '../../contract/index.ts';
import type { Config } from '../config/config.ts';
import type { OAuthConfig } from '../config/oauth.ts';
import type { WebhookConfig } from '../config/webhooks.ts';
import type { HandOverWebhooks } from '../outbox/webhooks-hand-over.ts';
import { SecretUnreadableError, secretBoxFor, type SecretBox } from '../crypto/secret-box.ts';
import type { Database } from '../db/database.ts';
import type { OAuthGrantRow } from '../db/schema.ts';
import {
  GrantInvalidError,
  ProviderRefusedError,
  ProviderUnavailableError,
  refreshTokens,
  TOKEN_TIMEOUT_MS,
} from './client.ts';
import {
  dropAccessToken,
  markGrantInvalid,
  openAccessToken,
  openRefreshToken,
  readGrant,
  releaseRefreshLock,
  storeRefreshed,
  takeRefreshLock,
} from './grants.ts';

/** A stored access token is used while it is valid for at least this long. */
export const ACCESS_TOKEN_MARGIN_MS = 2 * 60_000;
/** How long a refresh may hold the lock: the token call's time box and the writes after it. */
const LOCK_MS = TOKEN_TIMEOUT_MS + 5_000;
const WAIT_STEP_MS = 100;

export type AccessTokenFailure =
  | 'oauth_not_connected'
  | 'oauth_grant_invalid'
  | 'oauth_token_unavailable'
  | 'oauth_provider_unavailable'
  | 'credentials_unreadable';

export type AccessToken =
  | {
      ok: true;
      accessToken: string;
      account: string;
      /** Epoch ms until which the token may be sent (its expiry less the margin). */
      usableUntil: number;
      /** A refreshed token is written while the caller sends with it; await this before ending. */
      stored: Promise<void>;
    }
  | { ok: false; code: AccessTokenFailure; transient: boolean };

export interface AccessTokenContext {
  db: Database;
  box: SecretBox;
  oauth: OAuthConfig;
  now: () => Date;
  /** Where a grant that turned invalid is reported (null: not at all). */
  webhooks?: WebhookConfig | null;
  /** In a request: its event goes out right after the response (the outbox sends it after its batch). */
  handOverWebhooks?: HandOverWebhooks;
  sleep?: (ms: number) => Promise<void>;
}

/** The context from a request's or a batch's dependencies. */
export async function accessTokenContext(deps: {
  db: Database;
  config: Config;
  now: () => Date;
  handOverWebhooks?: HandOverWebhooks;
}): Promise<AccessTokenContext> {
  const box = await secretBoxFor(deps.config.settingsEncryptionKey);
  const { db, now, handOverWebhooks } = deps;
  return { db, box, oauth: deps.config.oauth, now, webhooks: deps.config.webhooks, handOverWebhooks };
}

const failure = (code: AccessTokenFailure, transient: boolean): AccessToken => ({ ok: false, code, transient });

const fresh = (grant: OAuthGrantRow, now: Date) =>
  !!grant.accessExpiresAt && grant.accessExpiresAt.getTime() - now.getTime() >= ACCESS_TOKEN_MARGIN_MS;

async function stored(ctx: AccessTokenContext, grant: OAuthGrantRow): Promise<AccessToken | null> {
  if (grant.invalidAt) return failure('oauth_grant_invalid', false);
  if (!fresh(grant, ctx.now())) return null;
  const accessToken = await openAccessToken(ctx.box, grant);
  if (!accessToken) return null;
  const usableUntil = grant.accessExpiresAt!.getTime() - ACCESS_TOKEN_MARGIN_MS;
  return { ok: true, accessToken, account: grant.account, usableUntil, stored: Promise.resolve() };
}

/**
 * The lock's holder: refresh, store (with a rotated refresh token), or mark the grant dead; null
 * when newer tokens landed meanwhile (a holder whose lock lapsed stored them): read them instead.
 */
async function refreshAsHolder(
  ctx: AccessTokenContext,
  grant: OAuthGrantRow,
  lock: string,
): Promise<AccessToken | null> {
  const provider = ctx.oauth.providers[grant.provider];
  if (!provider) {
    await releaseRefreshLock(ctx.db, grant, lock);
    return failure('oauth_provider_unavailable', true);
  }
  try {
    const tokens = await refreshTokens(provider, await openRefreshToken(ctx.box, grant), ctx.now);
    // Written while the caller already connects: one database write off the send's path. Until it
    // lands, the lock keeps other senders waiting for these tokens rather than refreshing again.
    const stored = storeRefreshed(ctx.db, ctx.box, grant, tokens, ctx.now());
    stored.catch(() => {}); // the caller awaits it and reports a failure
    const usableUntil = tokens.expiresAt.getTime() - ACCESS_TOKEN_MARGIN_MS;
    return { ok: true, accessToken: tokens.accessToken, account: grant.account, usableUntil, stored };
  } catch (error) {
    if (error instanceof GrantInvalidError) {
      if (await markGrantInvalid(ctx.db, grant, lock, ctx.now(), ctx.webhooks)) {
        ctx.handOverWebhooks?.(grant.tenantId);
        return failure('oauth_grant_invalid', false);
      }
      return null;
    }
    await releaseRefreshLock(ctx.db, grant, lock);
    if (error instanceof ProviderUnavailableError) return failure('oauth_token_unavailable', true);
    if (error instanceof ProviderRefusedError) {
      console.error(`oauth ${grant.provider}: token endpoint refused the refresh: ${error.message}`);
      return failure('oauth_provider_unavailable', true);
    }
    throw error;
  }
}

/**
 * The server refused an access token it should have taken (535): the stored one is dropped if it
 * is still that token, so the next send refreshes and learns whether the grant still lives (a
 * revoked grant then shows "Reconnect") instead of failing the same way until the token expires.
 */
export async function forgetRefusedToken(
  ctx: AccessTokenContext,
  tenantId: string,
  provider: OAuthProvider,
  refused: string,
): Promise<void> {
  const grant = await readGrant(ctx.db, tenantId, provider);
  if (grant && (await openAccessToken(ctx.box, grant)) === refused) await dropAccessToken(ctx.db, grant, ctx.now());
}

/**
 * Waits for a refreshed grant's tokens to be written; a failure is logged, not thrown: the next
 * send refreshes again (or, where the rotation killed the old refresh token, asks to sign in again).
 * Only the error's name is logged: a database error's message carries the statement's parameters,
 * here sealed tokens.
 */
export function settleStoredTokens(stored: Promise<void> | undefined): Promise<void> | undefined {
  return stored?.catch((error: unknown) => {
    console.error(`oauth: a refreshed token could not be stored (${error instanceof Error ? error.name : 'unknown'})`);
  });
}

/**
 * The access token for the tenant's grant with the provider. A burst of sends with an expired token
 * makes one refresh: the others wait for the holder's result and read it from the database.
 */
export async function accessTokenFor(
  ctx: AccessTokenContext,
  tenantId: string,
  provider: OAuthProvider,
): Promise<AccessToken> {
  const sleep = ctx.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = ctx.now().getTime() + LOCK_MS + TOKEN_TIMEOUT_MS;
  try {
    while (ctx.now().getTime() < deadline) {
      const grant = await readGrant(ctx.db, tenantId, provider);
      if (!grant) return failure('oauth_not_connected', false);
      const usable = await stored(ctx, grant);
      if (usable) return usable;
      const lock = crypto.randomUUID();
      if (await takeRefreshLock(ctx.db, grant, lock, ctx.now(), LOCK_MS)) {
        const refreshed = await refreshAsHolder(ctx, grant, lock);
        if (refreshed) return refreshed;
        continue;
      }
      await sleep(WAIT_STEP_MS);
    }
    return failure('oauth_token_unavailable', true);
  } catch (error) {
    if (error instanceof SecretUnreadableError) return failure('credentials_unreadable', true);
    throw error;
  }
}
