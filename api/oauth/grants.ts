// The stored grants: sealed tokens, the refresh lock that makes refreshes single-flight across
// isolates and processes, and the mark of a grant the provider refused for good.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { OAuthProvider } from '../../contract/index.ts';
import type { SealedSecret, SecretBox } from '../crypto/secret-box.ts';
import type { Database } from '../db/database.ts';
import type { WebhookConfig } from '../config/webhooks.ts';
import { grantExpiredEvent } from '../outbox/webhooks-events.ts';
import { type OAuthGrantRow, oauthGrants } from '../db/schema.ts';
import type { IssuedTokens, SignedIn } from './client.ts';

/** Tokens are sealed bound to tenant, provider and kind: a value copied to another row does not open. */
export const grantAad = (tenantId: string, provider: OAuthProvider, kind: 'refresh' | 'access') =>
  `${tenantId}:oauth:${provider}:${kind}`;

const ofGrant = (tenantId: string, provider: OAuthProvider) =>
  and(eq(oauthGrants.tenantId, tenantId), eq(oauthGrants.provider, provider));

const refreshColumns = (s: SealedSecret) => ({
  refreshCiphertext: s.ciphertext,
  refreshIv: s.iv,
  refreshKeyId: s.keyId,
});

const accessColumns = (s: SealedSecret | null) => ({
  accessCiphertext: s?.ciphertext ?? null,
  accessIv: s?.iv ?? null,
  accessKeyId: s?.keyId ?? null,
});

export function readGrant(db: Database, tenantId: string, provider: OAuthProvider) {
  return db.select().from(oauthGrants).where(ofGrant(tenantId, provider)).get();
}

export function readGrants(db: Database, tenantId: string) {
  return db.select().from(oauthGrants).where(eq(oauthGrants.tenantId, tenantId));
}

/** A new sign-in replaces whatever was stored for the provider (a dead grant, another account). */
export async function storeSignIn(
  db: Database,
  box: SecretBox,
  tenantId: string,
  provider: OAuthProvider,
  signedIn: SignedIn,
  now: Date,
): Promise<void> {
  const refresh = await box.seal(signedIn.refreshToken, grantAad(tenantId, provider, 'refresh'));
  const access = await box.seal(signedIn.accessToken, grantAad(tenantId, provider, 'access'));
  const columns = {
    account: signedIn.account,
    ...refreshColumns(refresh),
    ...accessColumns(access),
    accessExpiresAt: signedIn.expiresAt,
    refreshLockToken: null,
    refreshLockUntil: null,
    invalidAt: null,
    connectedAt: now,
    updatedAt: now,
  };
  await db
    .insert(oauthGrants)
    .values({ tenantId, provider, ...columns, revision: 1 })
    .onConflictDoUpdate({
      target: [oauthGrants.tenantId, oauthGrants.provider],
      set: { ...columns, revision: sql`${oauthGrants.revision} + 1` },
    });
}

export function openRefreshToken(box: SecretBox, grant: OAuthGrantRow): Promise<string> {
  return box.open(
    { ciphertext: grant.refreshCiphertext, iv: grant.refreshIv, keyId: grant.refreshKeyId },
    grantAad(grant.tenantId, grant.provider, 'refresh'),
  );
}

/** The stored access token, or null when there is none. */
export async function openAccessToken(box: SecretBox, grant: OAuthGrantRow): Promise<string | null> {
  if (!grant.accessCiphertext || !grant.accessIv || !grant.accessKeyId) return null;
  return box.open(
    { ciphertext: grant.accessCiphertext, iv: grant.accessIv, keyId: grant.accessKeyId },
    grantAad(grant.tenantId, grant.provider, 'access'),
  );
}

/** Takes the refresh lock when no other holder's lock is live and the grant is still at `revision`. */
export async function takeRefreshLock(
  db: Database,
  grant: OAuthGrantRow,
  token: string,
  now: Date,
  holdMs: number,
): Promise<boolean> {
  const taken = await db
    .update(oauthGrants)
    .set({ refreshLockToken: token, refreshLockUntil: new Date(now.getTime() + holdMs) })
    .where(
      and(
        ofGrant(grant.tenantId, grant.provider),
        eq(oauthGrants.revision, grant.revision),
        isNull(oauthGrants.invalidAt),
        or(isNull(oauthGrants.refreshLockUntil), lt(oauthGrants.refreshLockUntil, now)),
      ),
    )
    .returning({ revision: oauthGrants.revision });
  return taken.length > 0;
}

/**
 * The refresh's result, written when the grant is still at the revision the refresh started from:
 * by the lock's holder, or by a holder whose lock lapsed while the next one is still asking the
 * provider (then its tokens, possibly the only live ones after a rotation, are not lost). A
 * rotated refresh token replaces the old one; tokens just issued prove the grant alive.
 */
export async function storeRefreshed(
  db: Database,
  box: SecretBox,
  grant: OAuthGrantRow,
  tokens: IssuedTokens,
  now: Date,
): Promise<void> {
  const access = await box.seal(tokens.accessToken, grantAad(grant.tenantId, grant.provider, 'access'));
  const refresh = tokens.refreshToken
    ? await box.seal(tokens.refreshToken, grantAad(grant.tenantId, grant.provider, 'refresh'))
    : null;
  await db
    .update(oauthGrants)
    .set({
      ...accessColumns(access),
      ...(refresh ? refreshColumns(refresh) : {}),
      accessExpiresAt: tokens.expiresAt,
      revision: sql`${oauthGrants.revision} + 1`,
      invalidAt: null,
      refreshLockToken: null,
      refreshLockUntil: null,
      updatedAt: now,
    })
    .where(and(ofGrant(grant.tenantId, grant.provider), eq(oauthGrants.revision, grant.revision)));
}

/** Drops the stored access token of the grant at `revision` (one refresh later, it is not the same). */
export async function dropAccessToken(db: Database, grant: OAuthGrantRow, now: Date): Promise<void> {
  await db
    .update(oauthGrants)
    .set({ ...accessColumns(null), accessExpiresAt: null, updatedAt: now })
    .where(and(ofGrant(grant.tenantId, grant.provider), eq(oauthGrants.revision, grant.revision)));
}

/** Ends the lock without a result (the provider could not answer now): the next send tries again. */
export async function releaseRefreshLock(db: Database, grant: OAuthGrantRow, token: string): Promise<void> {
  await db
    .update(oauthGrants)
    .set({ refreshLockToken: null, refreshLockUntil: null })
    .where(and(ofGrant(grant.tenantId, grant.provider), eq(oauthGrants.refreshLockToken, token)));
}

/** The provider answered `invalid_grant`: the grant stays (the widget shows "Reconnect") but is not used. */
export async function markGrantInvalid(
  db: Database,
  grant: OAuthGrantRow,
  token: string,
  now: Date,
  webhooks: WebhookConfig | null = null,
): Promise<boolean> {
  const mark = db
    .update(oauthGrants)
    .set({
      invalidAt: now,
      ...accessColumns(null),
      accessExpiresAt: null,
      refreshLockToken: null,
      refreshLockUntil: null,
      updatedAt: now,
    })
    .where(
      and(
        ofGrant(grant.tenantId, grant.provider),
        eq(oauthGrants.refreshLockToken, token),
        eq(oauthGrants.revision, grant.revision),
      ),
    )
    .returning({ revision: oauthGrants.revision });
  const [marked] = await db.batch([mark, ...grantExpiredEvent(db, webhooks, grant.tenantId, grant.provider, now)]);
  return marked.length > 0;
}

/** Deletes the tenant's grants (one provider, or all) and returns them, to be revoked at the provider. */
export function deleteGrants(db: Database, tenantId: string, provider?: OAuthProvider) {
  return db
    .delete(oauthGrants)
    .where(provider ? ofGrant(tenantId, provider) : eq(oauthGrants.tenantId, tenantId))
    .returning();
}
