// Response shapes for the OpenAPI document, checked against the wire types of contract/ by the
// type checker (`satisfies`) and against real responses by the contract test.
import * as v from 'valibot';
import type {
  CertificateInfo,
  DeliveryStatus,
  Route,
  SmtpError,
  SmtpErrorCode,
  TestWarning,
  TranscriptLine,
} from '../../contract/index.ts';
import { FIELD_CODES } from '../i18n/field-messages.ts';
import type { ProblemCode } from '../i18n/problems.ts';

/** RFC 9457 problem+json with the codes one status can carry; extension members are allowed. */
export function problemSchema(codes: ProblemCode[]) {
  return v.looseObject({
    type: v.string(),
    title: v.string(),
    status: v.number(),
    detail: v.optional(v.string()),
    code: v.picklist(codes),
    errors: v.optional(
      v.array(v.strictObject({ path: v.string(), code: v.picklist(FIELD_CODES), message: v.string() })),
    ),
    errorsOmitted: v.optional(v.number()),
  });
}

export const isoDate = v.pipe(v.string(), v.isoTimestamp());
export const nullableString = v.nullable(v.string());

export const routeSchema = v.picklist(['tenant', 'system', 'system-fallback']) satisfies v.GenericSchema<Route>;

export const deliveryStatusSchema = v.picklist([
  'queued',
  'sending',
  'sent',
  'retrying',
  'failed',
]) satisfies v.GenericSchema<DeliveryStatus>;

export const certificateSchema = v.strictObject({
  sha256: v.string(),
  subject: v.string(),
  issuer: v.string(),
  validFrom: v.string(),
  validTo: v.string(),
}) satisfies v.GenericSchema<CertificateInfo>;

export const smtpErrorSchema = v.strictObject({
  stage: v.picklist(['connect', 'tls', 'greeting', 'ehlo', 'auth', 'mail', 'rcpt', 'data']),
  // The engine's codes are an open list to the reader: a client shows `message` and `hint`.
  code: v.string() as v.GenericSchema<SmtpErrorCode>,
  responseCode: v.nullable(v.number()),
  response: nullableString,
  message: v.string(),
  hint: v.string(),
  certificate: v.optional(certificateSchema),
}) satisfies v.GenericSchema<SmtpError>;

export const testWarningSchema = v.strictObject({
  code: v.picklist(['no_encryption', 'microsoft_basic_auth_retiring', 'sender_domain_mismatch']),
  message: v.string(),
}) satisfies v.GenericSchema<TestWarning>;

export const transcriptLineSchema = v.strictObject({
  dir: v.picklist(['c', 's', 'i']),
  line: v.string(),
}) satisfies v.GenericSchema<TranscriptLine>;
