import { and, eq, gt, isNotNull, isNull, lt } from 'drizzle-orm';
import type { OAuthProvider } from '../../../contract/index.ts';
import type { SealedSecret, SecretBox } from '../../crypto/secret-box.ts';
import type { Database } from '../../db/database.ts';
import { type OAuthStateRow, oauthStates, type TenantIdentity } from '../../db/schema.ts';
import type { Lang } from '../../i18n/lang.ts';
import type { SignedIn } from '../../oauth/client.ts';
import { sha256Hex } from '../../util/sha256.ts';
import { upsertTenant } from '../mail-server/store.ts';

/** A started sign-in is good for ten minutes. */
export const STATE_TTL_MS = 10 * 60_000;

const verifierAad = (tenantId: string, stateHash: string) => `${tenantId}:oauth-state:${stateHash}`;
const resultAad = (tenantId: string, stateHash: string) => `${tenantId}:oauth-result:${stateHash}`;

export interface StartedSignIn {
  provider: OAuthProvider;
  origin: string;
  returnTo: string | null;
  lang: Lang;
  codeVerifier: string;
}

/** Stores a started sign-in (and drops the expired ones) in one round trip. */
export async function storeState(
  db: Database,
  box: SecretBox,
  tenant: TenantIdentity,
  state: string,
  binding: string,
  started: StartedSignIn,
  now: Date,
): Promise<void> {
  const stateHash = await sha256Hex(state);
  const verifier = await box.seal(started.codeVerifier, verifierAad(tenant.id, stateHash));
  await db.batch([
    upsertTenant(db, tenant, now),
    db.delete(oauthStates).where(lt(oauthStates.expiresAt, now)),
    db.insert(oauthStates).values({
      stateHash,
      tenantId: tenant.id,
      provider: started.provider,
      origin: started.origin,
      returnTo: started.returnTo,
      lang: started.lang,
      verifierCiphertext: verifier.ciphertext,
      verifierIv: verifier.iv,
      verifierKeyId: verifier.keyId,
      bindingHash: await sha256Hex(binding),
      expiresAt: new Date(now.getTime() + STATE_TTL_MS),
    }),
  ]);
}

/** Takes a started sign-in for good: a second callback with the same state finds nothing. */
export async function claimState(db: Database, state: string, now: Date): Promise<OAuthStateRow | undefined> {
  const stateHash = await sha256Hex(state);
  const [row] = await db
    .update(oauthStates)
    .set({ claimedAt: now })
    .where(and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.claimedAt), gt(oauthStates.expiresAt, now)))
    .returning();
  return row;
}

/** A claimed state whose sign-in failed is of no further use. */
export async function dropState(db: Database, row: OAuthStateRow): Promise<void> {
  await db.delete(oauthStates).where(eq(oauthStates.stateHash, row.stateHash));
}

/**
 * Holds a signed-in account's tokens, sealed, for the starting page to complete; the completion
 * code is good as long as a fresh state.
 */
export async function holdSignIn(
  db: Database,
  box: SecretBox,
  row: OAuthStateRow,
  signedIn: SignedIn,
  completion: string,
  now: Date,
): Promise<void> {
  const result = await box.seal(JSON.stringify(signedIn), resultAad(row.tenantId, row.stateHash));
  await db
    .update(oauthStates)
    .set({
      completionHash: await sha256Hex(completion),
      resultCiphertext: result.ciphertext,
      resultIv: result.iv,
      resultKeyId: result.keyId,
      expiresAt: new Date(now.getTime() + STATE_TTL_MS),
    })
    .where(eq(oauthStates.stateHash, row.stateHash));
}

export interface HeldSignIn {
  provider: OAuthProvider;
  signedIn: SignedIn;
}

/** Takes a held sign-in once, when the tenant, the binding and the completion code all match. */
export async function takeHeldSignIn(
  db: Database,
  box: SecretBox,
  tenantId: string,
  pair: { binding: string; completion: string },
  now: Date,
): Promise<HeldSignIn | null> {
  const [row] = await db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.bindingHash, await sha256Hex(pair.binding)),
        eq(oauthStates.completionHash, await sha256Hex(pair.completion)),
        eq(oauthStates.tenantId, tenantId),
        isNotNull(oauthStates.resultCiphertext),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning();
  if (!row?.resultCiphertext || !row.resultIv || !row.resultKeyId) return null;
  const sealed: SealedSecret = { ciphertext: row.resultCiphertext, iv: row.resultIv, keyId: row.resultKeyId };
  const held = JSON.parse(await box.open(sealed, resultAad(row.tenantId, row.stateHash))) as SignedIn & {
    expiresAt: string;
  };
  return { provider: row.provider, signedIn: { ...held, expiresAt: new Date(held.expiresAt) } };
}

export function openVerifier(box: SecretBox, row: OAuthStateRow): Promise<string> {
  return box.open(
    { ciphertext: row.verifierCiphertext, iv: row.verifierIv, keyId: row.verifierKeyId },
    verifierAad(row.tenantId, row.stateHash),
  );
}
