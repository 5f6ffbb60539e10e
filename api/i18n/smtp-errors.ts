// Texts a tenant reads about an SMTP test or send: what went wrong (message) and what to do
// (hint), in German and English.

import type { SmtpError, SmtpErrorCode } from '../../contract/index.ts';
import type { NormalizedSmtpError } from '../smtp/types.ts';
import type { Lang, Localized } from './lang.ts';
import { CONNECTION_TEXTS } from './smtp-error-texts/connection.ts';
import { OAUTH_TEXTS } from './smtp-error-texts/oauth.ts';
import { OUTCOME_TEXTS, UNKNOWN } from './smtp-error-texts/outcomes.ts';
import { PROVIDER_TEXTS } from './smtp-error-texts/providers.ts';
import { SESSION_TEXTS } from './smtp-error-texts/session.ts';
import {
  type Ctx,
  type ErrorText,
  isStarttlsPort,
  type LocalizeContext,
  type Text,
} from './smtp-error-texts/wording.ts';

/** Hints about a port that does not fit the chosen encryption. */
function portHint(c: LocalizeContext): Localized | null {
  if (c.port === 465 && c.security !== 'tls')
    return {
      de: 'Port 465 erwartet in der Regel SSL/TLS – bitte diese Verschlüsselung wählen.',
      en: 'Port 465 usually expects SSL/TLS – please choose that encryption.',
    };
  if (isStarttlsPort(c.port) && c.security === 'tls')
    return {
      de: `Port ${c.port} verwendet in der Regel STARTTLS, nicht SSL/TLS (das meist Port 465 nutzt).`,
      en: `Port ${c.port} usually uses STARTTLS, not SSL/TLS (which mostly uses port 465).`,
    };
  return null;
}

const join = (lang: Lang, ...parts: (Localized | null | undefined)[]) =>
  parts
    .filter((p): p is Localized => Boolean(p))
    .map((p) => p[lang])
    .join(' ');

const TEXTS: { [K in SmtpErrorCode]: ErrorText } = {
  ...CONNECTION_TEXTS,
  ...SESSION_TEXTS,
  ...PROVIDER_TEXTS,
  ...OAUTH_TEXTS,
  ...OUTCOME_TEXTS,
  // No text of its own: a tenant route without settings reads as an unexpected error.
  not_configured: UNKNOWN,
  unknown: UNKNOWN,
};

/** The codes the engine and the outbox can produce (for tests and docs). */
export const SMTP_ERROR_CODES = Object.keys(TEXTS) as SmtpErrorCode[];

export function isSmtpErrorCode(code: string): code is SmtpErrorCode {
  return Object.hasOwn(TEXTS, code);
}

/** Failures a port that does not fit the chosen encryption typically causes. */
const PORT_MISMATCH_SYMPTOMS = new Set<SmtpErrorCode>([
  'greeting_timeout',
  'connection_closed',
  'tls_failed',
  'tls_failed_workers',
  'tls_timeout',
  'greeting_invalid',
  'total_timeout',
  'connection_timeout',
]);

/** An engine error, or one read back from a delivery row, whose code may predate today's codes. */
export type ReportedSmtpError = Omit<NormalizedSmtpError, 'code'> & { code: string };

/** Contract `SmtpError` (message + hint in the request's language) for an engine error; unknown codes read as `unknown`. */
export function localizeSmtpError(error: ReportedSmtpError, lang: Lang, context: LocalizeContext = {}): SmtpError {
  const code = isSmtpErrorCode(error.code) ? error.code : 'unknown';
  const entry = TEXTS[code];
  const c: Ctx = { ...context, stage: error.stage };
  const resolve = (t: Text) => (typeof t === 'function' ? t(c) : t);
  const extra = PORT_MISMATCH_SYMPTOMS.has(code) ? portHint(context) : null;
  return {
    stage: error.stage,
    code,
    responseCode: error.responseCode,
    response: error.response,
    message: resolve(entry.message)[lang],
    hint: join(lang, extra, resolve(entry.hint)),
    ...(error.certificate ? { certificate: error.certificate } : {}),
  };
}
