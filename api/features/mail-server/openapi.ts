import * as v from 'valibot';
import type { LastCheck, MailServerResponse, OAuthConnection, SmtpErrorCode } from '../../../contract/index.ts';
import { OAUTH_PROVIDERS, PASSWORD_AUTH_METHODS, SECURITIES } from '../../../contract/values.ts';
import { BODY_PROBLEMS, describeRoute, jsonRequest, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import { isoDate, nullableString, testWarningSchema } from '../../http/openapi-schemas.ts';
import { mailServerInputSchema } from './schema.ts';

export const oauthConnectionSchema = v.strictObject({
  provider: v.picklist(OAUTH_PROVIDERS),
  account: v.string(),
  connected: v.boolean(),
  connectedAt: isoDate,
}) satisfies v.GenericSchema<OAuthConnection>;

const settingsSchema = v.strictObject({
  host: v.string(),
  port: v.number(),
  security: v.picklist(SECURITIES),
  allowUntrustedCertificate: v.boolean(),
  auth: v.variant('method', [
    v.strictObject({ method: v.picklist(PASSWORD_AUTH_METHODS), username: nullableString, passwordSet: v.boolean() }),
    v.strictObject({
      method: v.literal('xoauth2'),
      provider: v.picklist(OAUTH_PROVIDERS),
      username: nullableString,
      connected: v.boolean(),
      account: nullableString,
      connectedAt: v.nullable(isoDate),
    }),
  ]),
  from: v.strictObject({ address: nullableString, name: nullableString }),
  replyTo: nullableString,
  fallbackToSystem: v.boolean(),
  trustedCertificateSha256: nullableString,
});

const lastCheckSchema = v.pipe(
  v.strictObject({
    ok: v.boolean(),
    at: isoDate,
    kind: v.picklist(['verify', 'test']),
    // The engine's codes are an open list to the reader (as in an SmtpError): show `message`.
    error: v.optional(v.strictObject({ code: v.string() as v.GenericSchema<SmtpErrorCode>, message: v.string() })),
  }),
  v.description(
    'The latest verify or test of exactly the saved settings (server, port, encryption, certificate, login, password, sender); a check of a draft counts once it is saved as it was. Null when none since.',
  ),
) satisfies v.GenericSchema<LastCheck>;

const mailServerResponseSchema = v.strictObject({
  configured: v.boolean(),
  settings: v.nullable(settingsSchema),
  version: v.number(),
  updatedAt: v.nullable(isoDate),
  effective: v.strictObject({
    route: v.picklist(['tenant', 'system']),
    from: v.strictObject({ address: v.string(), name: v.string() }),
    replyTo: v.string(),
  }),
  capabilities: v.strictObject({
    runtime: v.picklist(['workers', 'node']),
    allowUntrustedCertificate: v.boolean(),
    blockedPorts: v.array(v.number()),
    oauthProviders: v.array(v.picklist(OAUTH_PROVIDERS)),
  }),
  warnings: v.array(testWarningSchema),
  oauthConnections: v.array(oauthConnectionSchema),
  lastCheck: v.nullable(lastCheckSchema),
}) satisfies v.GenericSchema<MailServerResponse>;

const example: MailServerResponse = {
  configured: true,
  settings: {
    host: 'smtp.example.com',
    port: 587,
    security: 'starttls',
    allowUntrustedCertificate: false,
    auth: { method: 'plain', username: 'rechnung@example.com', passwordSet: true },
    from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
    replyTo: 'buchhaltung@example.com',
    fallbackToSystem: true,
    trustedCertificateSha256: null,
  },
  version: 3,
  updatedAt: '2026-12-07T10:00:00.000Z',
  effective: {
    route: 'tenant',
    from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
    replyTo: 'buchhaltung@example.com',
  },
  capabilities: { runtime: 'workers', allowUntrustedCertificate: false, blockedPorts: [25], oauthProviders: [] },
  warnings: [],
  oauthConnections: [],
  lastCheck: { ok: true, at: '2026-12-07T09:58:12.000Z', kind: 'verify' },
};

const ifMatch = (required: boolean) => ({
  in: 'header' as const,
  name: 'If-Match',
  required,
  description: 'The `ETag` of the last read (`"<version>"`); `*` for any saved settings. A stale one is a 412.',
  schema: { type: 'string' as const },
});

const settings = jsonResponse(
  'The settings (never a password), the sender used now, what the runtime can do. `ETag` = `"<version>"`.',
  mailServerResponseSchema,
  example,
);

export const docs = {
  get: describeRoute({
    operationId: 'getMailServer',
    tags: ['settings'],
    summary: 'Read the tenant’s mail server settings',
    ...tenantAuth,
    responses: { 200: settings, ...problems(401) },
  }),
  put: describeRoute({
    operationId: 'saveMailServer',
    tags: ['settings'],
    summary: 'Save the settings (a password omitted keeps the stored one)',
    ...tenantAuth,
    parameters: [ifMatch(false)],
    requestBody: jsonRequest(mailServerInputSchema, {
      host: 'smtp.example.com',
      security: 'starttls',
      auth: { method: 'plain', username: 'rechnung@example.com', password: 'app-password' },
      from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
    }),
    responses: { 200: settings, ...problems(401, 412, ...BODY_PROBLEMS) },
  }),
  delete: describeRoute({
    operationId: 'resetMailServer',
    tags: ['settings'],
    summary: 'Reset: forget the settings and sign-ins; mail goes through the system relay again',
    ...tenantAuth,
    parameters: [ifMatch(false)],
    responses: { 204: { description: 'Reset.' }, ...problems(401, 412) },
  }),
};
