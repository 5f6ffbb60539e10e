import * as v from 'valibot';
import type { OAuthStartResponse } from '../../../contract/index.ts';
import { BODY_PROBLEMS, describeRoute, jsonRequest, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import { oauthConnectionSchema } from '../mail-server/openapi.ts';
import { oauthCompleteSchema, oauthStartSchema } from './schema.ts';

const startSchema = v.strictObject({
  authorizationUrl: v.string(),
  binding: v.string(),
}) satisfies v.GenericSchema<OAuthStartResponse>;
const handedOut = 'Vb3kq0Xc9yJ2mW7pL4sT8nR1aE6dF5gH0iK3oU2zQ9w';
const page = { 'text/html': { schema: { type: 'string' as const } } };

export const docs = {
  start: describeRoute({
    operationId: 'startOAuthSignIn',
    tags: ['settings'],
    summary: 'Start signing in with the provider (the `Origin` must be one the API serves)',
    ...tenantAuth,
    requestBody: jsonRequest(oauthStartSchema, { provider: 'microsoft', mode: 'popup' }),
    responses: {
      200: jsonResponse('Open `authorizationUrl`; keep `binding` for `complete`.', startSchema, {
        authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?…',
        binding: handedOut,
      }),
      ...problems(401, 429, ...BODY_PROBLEMS),
    },
  }),
  complete: describeRoute({
    operationId: 'completeOAuthSignIn',
    tags: ['settings'],
    summary: 'Connect the finished sign-in (the callback’s `completion` with the start’s `binding`)',
    ...tenantAuth,
    requestBody: jsonRequest(oauthCompleteSchema, { binding: handedOut, completion: handedOut }),
    responses: {
      200: jsonResponse('The stored grant.', oauthConnectionSchema, {
        provider: 'microsoft',
        account: 'rechnung@example.com',
        connected: true,
        connectedAt: '2026-12-07T10:00:00.000Z',
      }),
      ...problems(401, ...BODY_PROBLEMS),
    },
  }),
  disconnect: describeRoute({
    operationId: 'disconnectOAuth',
    tags: ['settings'],
    summary: 'Forget the sign-in with a provider (revoked there after the answer)',
    ...tenantAuth,
    parameters: [{ in: 'path', name: 'provider', required: true, schema: { enum: ['microsoft', 'google'] } }],
    responses: { 204: { description: 'Forgotten.' }, ...problems(401, 422) },
  }),
  callback: describeRoute({
    operationId: 'oauthCallback',
    tags: ['settings'],
    summary: 'The provider’s redirect target (no token: the single-use `state` is the proof)',
    parameters: ['state', 'code', 'error'].map((name) => ({ in: 'query', name, schema: { type: 'string' } })),
    responses: {
      200: { description: 'A page that posts the result to the starting page and closes.', content: page },
      303: { description: 'Redirect mode: back to `returnTo` with `?mailServerOAuth=ok|error`.' },
      400: { description: 'The state is unknown, used or expired: a page saying so.', content: page },
      502: { description: 'The provider’s token exchange failed: a page saying so.', content: page },
    },
  }),
};
