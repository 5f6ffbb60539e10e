import { and, eq, gt, lt } from 'drizzle-orm';
import type { OAuthProvider } from '../../../contract/index.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Database } from '../../db/database.ts';
import { type OAuthStateRow, oauthStates, type TenantIdentity } from '../../db/schema.ts';
import type { Lang } from '../../i18n/lang.ts';
import { sha256Hex } from '../../util/sha256.ts';
import { upsertTenant } from '../mail-server/store.ts';

/** A started sign-in is good for ten minutes. */
export const STATE_TTL_MS = 10 * 60_000;

const verifierAad = (tenantId: string, stateHash: string) => `${tenantId}:oauth-state:${stateHash}`;

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
      expiresAt: new Date(now.getTime() + STATE_TTL_MS),
    }),
  ]);
}

/** Takes a started sign-in for good: a second callback with the same state finds nothing. */
export async function consumeState(db: Database, state: string, now: Date): Promise<OAuthStateRow | undefined> {
  const stateHash = await sha256Hex(state);
  const [row] = await db
    .delete(oauthStates)
    .where(and(eq(oauthStates.stateHash, stateHash), gt(oauthStates.expiresAt, now)))
    .returning();
  return row;
}

export function openVerifier(box: SecretBox, row: OAuthStateRow): Promise<string> {
  return box.open(
    { ciphertext: row.verifierCiphertext, iv: row.verifierIv, keyId: row.verifierKeyId },
    verifierAad(row.tenantId, row.stateHash),
  );
}
