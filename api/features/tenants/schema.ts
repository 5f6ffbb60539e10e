import * as v from 'valibot';
import { boundedArray, boundedString } from '../../http/bounded.ts';
import { strictObject } from '../../http/strict-object.ts';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { hasControlChars } from '../../util/text.ts';

export const MAX_RECIPIENTS = 50;
export const MAX_ATTACHMENTS = 100;
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** The message route's body limit: base64 grows content by 4/3; 1 MiB more for the JSON around it. */
export const MAX_MESSAGE_BODY_BYTES = Math.ceil((MAX_MESSAGE_BYTES * 4) / 3) + 1024 * 1024;

/**
 * Characters a file name shown to the recipient must not have: C1 controls, line and paragraph
 * separators, and the direction marks and overrides that make "rechnung\u202Efdp.exe" show as
 * "rechnungexe.pdf".
 */
const UNSAFE_IN_FILENAME = /[\u0080-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** An RFC 2047 encoded word: a mail client may decode it in the name and show another one (`=?utf-8?q?a=E2=80=AEfdp.exe?=`). */
const ENCODED_WORD = /=\?[^?\s]*\?[bq]\?[^?\s]*\?=/i;

const headerText = (max: number) =>
  boundedString(
    max,
    v.pipe(
      v.string(),
      v.check((s) => !hasControlChars(s), 'control_chars'),
    ),
  );

// 254: the longest address SMTP carries (RFC 5321 path minus the brackets); isEmailAddress says so too.
const address = boundedString(
  254,
  v.pipe(
    v.string(),
    v.check((s) => !hasControlChars(s), 'control_chars'),
    v.trim(),
    v.check(isEmailAddress, 'email_invalid'),
  ),
);

// Each list alone within the total, before any address is checked; the total is checked last.
const addressList = boundedArray(address, MAX_RECIPIENTS, 'too_many_recipients');

// Linear checks only: a grouped, quantified pattern overflows the regex stack on megabytes.
const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** Decoded size of a base64 string (without decoding it). */
export const base64Bytes = (b64: string) =>
  Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

const attachment = strictObject({
  filename: v.pipe(
    headerText(255),
    v.check((s) => s.trim() !== '', 'required'),
    v.check(
      (s) => !/[\\/]/.test(s) && !UNSAFE_IN_FILENAME.test(s) && !ENCODED_WORD.test(s) && !/^\.+$/.test(s.trim()),
      'filename_invalid',
    ),
  ),
  // RFC 6838: type and subtype of at most 127 characters each.
  contentType: boundedString(
    255,
    v.pipe(
      v.string(),
      v.check((s) => /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(s), 'content_type_invalid'),
    ),
  ),
  content: v.pipe(v.string('invalid_type'), v.check(isBase64, 'base64_invalid')),
});

/** `POST /v1/tenants/:tenantId/messages` — a business document for the outbox. */
export const messageInputSchema = v.pipe(
  strictObject({
    kind: v.picklist(['invoice', 'reminder', 'document'], 'kind_invalid'),
    to: v.pipe(addressList, v.minLength(1, 'recipients_required')),
    cc: v.optional(addressList, []),
    bcc: v.optional(addressList, []),
    subject: v.pipe(
      headerText(998),
      v.check((s) => s.trim() !== '', 'required'),
    ),
    text: v.optional(v.string('invalid_type')),
    html: v.optional(v.string('invalid_type')),
    attachments: v.optional(boundedArray(attachment, MAX_ATTACHMENTS, 'too_many_attachments'), []),
    reference: v.optional(headerText(200)),
  }),
  v.forward(
    v.check((m) => m.text !== undefined || m.html !== undefined, 'body_required'),
    ['text'],
  ),
  v.forward(
    v.check((m) => m.to.length + m.cc.length + m.bcc.length <= MAX_RECIPIENTS, 'too_many_recipients'),
    ['to'],
  ),
);

/** Bytes of a message's content: subject, text and HTML (UTF-8) and the decoded attachments; at most MAX_MESSAGE_BYTES. */
export function messageBytes(m: {
  subject: string;
  text?: string;
  html?: string;
  attachments: { content: string }[];
}): number {
  return (
    m.attachments.reduce((sum, a) => sum + base64Bytes(a.content), 0) +
    new TextEncoder().encode(`${m.subject}${m.text ?? ''}${m.html ?? ''}`).length
  );
}

export type MessageInput = v.InferOutput<typeof messageInputSchema>;

/** `PUT /v1/tenants/:tenantId` — the tenant's profile as the host application knows it. */
export const tenantProfileSchema = strictObject({
  name: v.pipe(headerText(200), v.trim()),
  email: address,
});

export const idempotencyKeySchema = v.pipe(
  v.string('required'),
  v.check((s) => /^[\x21-\x7e]{1,255}$/.test(s), 'idempotency_key_invalid'),
);

/** A tenant id in the operator's paths: 1–200 characters, no control characters, no surrounding spaces (`%20` is no id). */
export const tenantIdSchema = v.pipe(
  v.string(),
  v.check((s) => s.length > 0 && s.length <= 200 && s.trim() === s && !hasControlChars(s), 'invalid_value'),
);
