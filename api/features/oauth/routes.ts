import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../http/context.ts';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import { jsonBody, validationError } from '../../http/body.ts';
import { allowedOrigin } from '../../http/cors.ts';
import { deferrerOf } from '../../http/defer.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import { signedInText, signInFailedText } from '../../i18n/oauth-pages.ts';
import { oauthProviderSchema } from '../mail-server/schema.ts';
import { callbackPage } from './page.ts';
import { callbackQuerySchema, oauthCompleteSchema, oauthStartSchema } from './schema.ts';
import { completeSignIn, disconnect, finishSignIn, startSignIn, type SignInOutcome } from './service.ts';
import { docs } from './openapi.ts';

/** `/v1/mail-server/oauth`: start a sign-in, or disconnect one (tenant token). */
export const oauthRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .post('/start', docs.start, jsonBody(oauthStartSchema), async (c) => {
    // The result goes to the page that started it: its origin must be one the API serves.
    const origin = c.req.header('origin') ?? '';
    const sameOrigin = origin === new URL(c.req.url).origin;
    if (!origin || (!sameOrigin && !allowedOrigin(origin, c.var.deps.config, c.req.path))) {
      throw validationError([
        { path: 'origin', code: 'origin_required', message: fieldMessage('origin_required', c.var.lang) },
      ]);
    }
    const body = await startSignIn(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'), origin);
    c.header('cache-control', 'no-store');
    return c.json(body, 200);
  })
  .post('/complete', docs.complete, jsonBody(oauthCompleteSchema), async (c) => {
    const body = await completeSignIn(c.var.deps, c.var.tenant, c.var.lang, c.req.valid('json'));
    c.header('cache-control', 'no-store');
    return c.json(body, 200);
  })
  .delete('/:provider', docs.disconnect, async (c) => {
    const provider = v.safeParse(oauthProviderSchema, c.req.param('provider'));
    if (!provider.success) {
      throw validationError([
        {
          path: 'provider',
          code: 'oauth_provider_invalid',
          message: fieldMessage('oauth_provider_invalid', c.var.lang),
        },
      ]);
    }
    await disconnect(c.var.deps, c.var.tenant, provider.output, deferrerOf(c));
    return c.body(null, 204);
  });

function redirectBack(outcome: SignInOutcome, returnTo: string): string {
  const url = new URL(returnTo);
  url.searchParams.set('mailServerOAuth', outcome.message.ok ? 'ok' : 'error');
  if (outcome.message.provider) url.searchParams.set('provider', outcome.message.provider);
  if (outcome.message.error) url.searchParams.set('error', outcome.message.error);
  if (outcome.message.completion) url.searchParams.set('completion', outcome.message.completion);
  return url.toString();
}

/** `/v1/oauth/callback`: the provider's redirect target (no token: the single-use state is the proof). */
export const oauthCallbackRoutes = new Hono<AppEnv>().get('/callback', docs.callback, async (c) => {
  const query = v.parse(callbackQuerySchema, c.req.query());
  const outcome = await finishSignIn(c.var.deps, query, c.var.lang);
  c.header('cache-control', 'no-store');
  // The URL carried the code: it goes to no other site.
  c.header('referrer-policy', 'no-referrer');
  if (outcome.returnTo) return c.redirect(redirectBack(outcome, outcome.returnTo), 303);
  const text =
    outcome.error || !outcome.message.provider || !outcome.message.account
      ? signInFailedText(outcome.error ?? 'provider_error', outcome.lang)
      : signedInText(outcome.message.provider, outcome.message.account, outcome.lang);
  const page = callbackPage(text, outcome.lang, outcome.message, outcome.origin);
  c.header(
    'content-security-policy',
    `default-src 'none'; script-src 'nonce-${page.nonce}'; style-src 'nonce-${page.nonce}'; frame-ancestors 'none'`,
  );
  return c.html(page.html, outcome.status);
});
