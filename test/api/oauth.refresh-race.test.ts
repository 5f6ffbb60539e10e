import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Bindings } from '../../api/config/bindings.ts';
import { parseOAuthConfig } from '../../api/config/oauth.ts';
import { secretBoxFor } from '../../api/crypto/secret-box.ts';
import { accessTokenFor } from '../../api/oauth/access-token.ts';
import { refreshTokens } from '../../api/oauth/client.ts';
import { openRefreshToken, storeRefreshed, takeRefreshLock } from '../../api/oauth/grants.ts';
import { clientFor } from './helpers.ts';
import { expireAccessToken, grantOf, signIn } from './oauth-helpers.ts';
import { db } from './outbox-helpers.ts';

describe('a refresh lock that lapsed', () => {
  it('the late holder’s tokens still land, and a refusal the rotation caused meanwhile does not kill the grant', async () => {
    const api = await clientFor();
    await signIn(api, 'microsoft', { loginHint: 'anna@firma.example' });
    await expireAccessToken(api.tenant.id, 'microsoft');
    const oauth = parseOAuthConfig(env as Bindings);
    const box = await secretBoxFor(env.SETTINGS_ENCRYPTION_KEY!);
    const ctx = { db: db(), box, oauth, now: () => new Date() };
    const grant = (await grantOf(api.tenant.id, 'microsoft'))!;
    // Holder A took the lock 20 s ago (15 s hold: lapsed) and has its answer, which rotated the refresh token.
    expect(await takeRefreshLock(db(), grant, 'holder-a', new Date(Date.now() - 20_000), 15_000)).toBe(true);
    const issued = await refreshTokens(oauth.providers.microsoft!, await openRefreshToken(box, grant), ctx.now);
    // B takes the lapsed lock and asks with the old refresh token, which the rotation killed.
    expect(await accessTokenFor(ctx, api.tenant.id, 'microsoft')).toMatchObject({
      ok: false,
      code: 'oauth_grant_invalid',
    });
    // A's write arrives after all: its tokens are the live ones, so the grant lives on with them.
    await storeRefreshed(db(), box, grant, issued, new Date());
    expect((await grantOf(api.tenant.id, 'microsoft'))!.invalidAt).toBeNull();
    expect(await accessTokenFor(ctx, api.tenant.id, 'microsoft')).toMatchObject({
      ok: true,
      accessToken: issued.accessToken,
    });
  });
});
