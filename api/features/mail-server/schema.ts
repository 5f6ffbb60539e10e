import * as v from 'valibot';
import { strictObject } from '../../http/strict-object.ts';
import { OAUTH_PROVIDERS, PASSWORD_AUTH_METHODS, SECURITIES } from '../../../contract/values.ts';
import { isEmailAddress, isHost } from '../../../contract/rules/host.ts';
import { isFingerprint, normalizeFingerprint } from '../../../contract/rules/certificate.ts';
import { hasControlChars } from '../../util/text.ts';

// Messages are field-error codes (api/i18n/field-messages.ts); the validation hook localizes them.

const text = (max: number) =>
  v.pipe(
    v.string('invalid_type'),
    v.check((s) => !hasControlChars(s), 'control_chars'),
    v.trim(),
    v.maxLength(max, 'too_long'),
  );

/** A string that means "not set" when empty or null. */
const optionalText = (max: number) =>
  v.optional(
    v.pipe(
      v.nullable(text(max)),
      v.transform((s) => (s ? s : null)),
    ),
    null,
  );

const email = v.pipe(
  v.string('invalid_type'),
  v.check((s) => !hasControlChars(s), 'control_chars'),
  v.trim(),
  v.maxLength(254, 'too_long'),
  v.check((s) => s === '' || isEmailAddress(s), 'email_invalid'),
);

const optionalEmail = v.optional(
  v.pipe(
    v.nullable(email),
    v.transform((s) => (s ? s : null)),
  ),
  null,
);

// valibot's object() takes an array too; where every field is optional, `[]` would pass.
const plainObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'invalid_object',
);

export const securitySchema = v.picklist(SECURITIES, 'security_invalid');
export const authMethodSchema = v.picklist(PASSWORD_AUTH_METHODS, 'auth_method_invalid');

export const oauthProviderSchema = v.picklist(OAUTH_PROVIDERS, 'oauth_provider_invalid');

const passwordAuthSchema = v.pipe(
  strictObject({
    method: authMethodSchema,
    username: optionalText(256),
    // Undefined = keep the stored password, null = clear it. Passwords are not trimmed.
    password: v.optional(
      v.nullable(
        v.pipe(
          v.string('invalid_type'),
          v.check((s) => !hasControlChars(s), 'control_chars'),
          v.maxLength(1024, 'too_long'),
        ),
      ),
    ),
    // What GET returns in its place; taken (a client may send the settings back) and ignored.
    passwordSet: v.optional(v.boolean('invalid_boolean')),
  }),
  v.transform(({ passwordSet: _, ...auth }) => auth),
  v.forward(
    v.check((a) => a.method === 'none' || a.username !== null, 'username_required'),
    ['username'],
  ),
  v.forward(
    v.check((a) => a.method === 'none' || a.password !== '', 'password_required'),
    ['password'],
  ),
);

/** Sign-in with the provider: no password; the user name defaults to the signed-in account. */
const oauthAuthSchema = v.pipe(
  strictObject({
    method: v.literal('xoauth2'),
    provider: oauthProviderSchema,
    username: optionalText(256),
    // What GET returns with it; taken (a client may send the settings back) and ignored.
    connected: v.optional(v.boolean('invalid_boolean')),
    account: v.optional(v.nullable(v.string('invalid_type'))),
    connectedAt: v.optional(v.nullable(v.string('invalid_type'))),
  }),
  v.transform(({ method, provider, username }) => ({ method, provider, username })),
);

const authSchema = v.pipe(
  plainObject,
  v.variant('method', [passwordAuthSchema, oauthAuthSchema], 'auth_method_invalid'),
);

/** The body of `PUT /v1/mail-server` and the draft of `POST /v1/mail-server/test`. */
export const mailServerInputSchema = v.pipe(
  strictObject({
    host: v.pipe(
      v.string('invalid_type'), // missing altogether: "required" (toFieldErrors)
      v.check((s) => !hasControlChars(s), 'control_chars'),
      v.trim(),
      v.nonEmpty('required'),
      v.maxLength(253, 'too_long'),
      v.check(isHost, 'host_invalid'),
    ),
    port: v.optional(
      v.pipe(
        v.number('port_range'),
        v.integer('port_range'),
        v.minValue(1, 'port_range'),
        v.maxValue(65535, 'port_range'),
      ),
    ),
    security: securitySchema,
    allowUntrustedCertificate: v.optional(v.boolean('invalid_boolean'), false),
    auth: v.optional(authSchema, { method: 'none' as const, username: null }),
    from: v.optional(
      v.pipe(
        v.nullable(v.pipe(plainObject, strictObject({ address: optionalEmail, name: optionalText(200) }))),
        v.transform((f) => f ?? { address: null, name: null }),
      ),
      { address: null, name: null },
    ),
    replyTo: optionalEmail,
    // Omitted: a new configuration allows the fallback (DESIGN §6), a saved one keeps its choice (store.ts).
    fallbackToSystem: v.optional(v.boolean('invalid_boolean')),
    // The certificate the tenant confirmed (with allowUntrustedCertificate); omitted: keep the pin.
    trustedCertificateSha256: v.optional(
      v.nullable(
        v.pipe(
          v.string('invalid_type'),
          v.check(isFingerprint, 'fingerprint_invalid'),
          v.transform(normalizeFingerprint),
        ),
      ),
    ),
  }),
  v.transform((s) => ({ ...s, port: s.port ?? (s.security === 'tls' ? 465 : 587) })),
  v.forward(
    v.check((s) => !s.allowUntrustedCertificate || s.security !== 'none', 'untrusted_certificate_needs_tls'),
    ['allowUntrustedCertificate'],
  ),
  // An access token is as good as a password for an hour: never in clear text.
  v.forward(
    v.check((s) => s.auth.method !== 'xoauth2' || s.security !== 'none', 'oauth_needs_tls'),
    ['security'],
  ),
);

export type MailServerInput = v.InferOutput<typeof mailServerInputSchema>;
