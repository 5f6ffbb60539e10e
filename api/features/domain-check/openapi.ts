import * as v from 'valibot';
import type { DomainCheckResult } from '../../../contract/index.ts';
import { describeRoute, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import { nullableString } from '../../http/openapi-schemas.ts';

const domainCheckSchema = v.strictObject({
  address: v.string(),
  domain: v.string(),
  route: v.picklist(['tenant', 'system']),
  spf: v.strictObject({
    result: v.nullable(v.picklist(['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'])),
    record: nullableString,
    detail: v.string(),
  }),
  dmarc: v.strictObject({
    result: v.picklist(['pass', 'fail', 'none', 'temperror']),
    policy: v.nullable(v.picklist(['none', 'quarantine', 'reject'])),
    record: nullableString,
    aligned: v.nullable(v.boolean()),
  }),
  dkim: v.strictObject({ selectorsFound: v.array(v.string()) }),
  verdict: v.picklist(['ok', 'warning', 'problem']),
  findings: v.array(
    v.strictObject({
      code: v.picklist([
        'dns_unavailable',
        'server_address_unknown',
        'spf_checked_host_address',
        'spf_missing',
        'spf_not_authorizing',
        'spf_softfail_only',
        'spf_permerror',
        'dmarc_missing',
        'dmarc_policy_none',
        'dmarc_reject_unaligned',
        'dkim_selectors_missing',
      ]),
      severity: v.picklist(['problem', 'warning', 'info']),
      message: v.string(),
    }),
  ),
}) satisfies v.GenericSchema<DomainCheckResult>;

const example: DomainCheckResult = {
  address: 'rechnung@example.com',
  domain: 'example.com',
  route: 'tenant',
  spf: { result: 'pass', record: 'v=spf1 mx -all', detail: 'The SPF record authorizes the server.' },
  dmarc: { result: 'pass', policy: 'reject', record: 'v=DMARC1; p=reject', aligned: true },
  dkim: { selectorsFound: ['selector1'] },
  verdict: 'ok',
  findings: [],
};

export const docs = {
  get: describeRoute({
    operationId: 'checkSenderDomain',
    tags: ['settings'],
    summary: 'Check SPF, DMARC and DKIM of the sender domain for the route mail takes now',
    ...tenantAuth,
    parameters: [
      {
        in: 'query',
        name: 'address',
        required: false,
        description: 'A draft sender address to check instead of the saved one.',
        schema: { type: 'string', format: 'email' },
      },
    ],
    responses: {
      200: jsonResponse('The findings, worst first, with texts in the request’s language.', domainCheckSchema, example),
      ...problems(401, 422),
    },
  }),
};
