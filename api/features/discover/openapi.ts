import * as v from 'valibot';
import type { DiscoverResult } from '../../../contract/index.ts';
import { OAUTH_PROVIDERS, SECURITIES } from '../../../contract/values.ts';
import { describeRoute, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';

const discoverSchema = v.strictObject({
  domain: v.string(),
  provider: v.nullable(v.strictObject({ id: v.string(), name: v.string() })),
  candidates: v.array(
    v.strictObject({
      host: v.string(),
      port: v.number(),
      security: v.picklist(SECURITIES),
      auth: v.array(v.picklist(['password', 'oauth2'])),
      oauthProvider: v.optional(v.picklist(OAUTH_PROVIDERS)),
      username: v.string(),
      source: v.picklist(['ispdb', 'autoconfig', 'mx', 'srv', 'probe']),
      note: v.optional(v.string()),
    }),
  ),
  lookups: v.array(v.strictObject({ step: v.string(), ok: v.boolean(), ms: v.number() })),
}) satisfies v.GenericSchema<DiscoverResult>;

const example: DiscoverResult = {
  domain: 'example.com',
  provider: null,
  candidates: [
    {
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      auth: ['password'],
      username: 'rechnung@example.com',
      source: 'autoconfig',
    },
  ],
  lookups: [{ step: 'autoconfig', ok: true, ms: 42 }],
};

export const docs = {
  get: describeRoute({
    operationId: 'discoverMailServer',
    tags: ['settings'],
    summary: 'Find the outgoing servers for an e-mail address, best first',
    ...tenantAuth,
    parameters: [
      { in: 'query', name: 'address', required: true, schema: { type: 'string', format: 'email', maxLength: 254 } },
    ],
    responses: {
      200: jsonResponse('Candidates best first, and what each lookup step took.', discoverSchema, example),
      ...problems(401, 422, 429),
    },
  }),
};
