import * as v from 'valibot';
import { strictObject } from '../../http/strict-object.ts';
import { hasControlChars } from '../../util/text.ts';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { oauthProviderSchema } from '../mail-server/schema.ts';

/** The body of `POST /v1/mail-server/oauth/start`. */
export const oauthStartSchema = strictObject({
  provider: oauthProviderSchema,
  loginHint: v.optional(
    v.pipe(
      v.string('invalid_type'),
      v.check((s) => !hasControlChars(s), 'control_chars'),
      v.trim(),
      v.maxLength(254, 'too_long'),
      v.check(isEmailAddress, 'email_invalid'),
    ),
  ),
  mode: v.optional(v.picklist(['popup', 'redirect'], 'mode_invalid'), 'popup'),
  returnTo: v.optional(v.pipe(v.string('invalid_type'), v.maxLength(2048, 'too_long'))),
});

export type OAuthStartInput = v.InferOutput<typeof oauthStartSchema>;

/** 256 random bits, base64url: what `start` and the callback hand out. */
const handedOut = v.pipe(v.string('invalid_type'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'oauth_completion_invalid'));

/** The body of `POST /v1/mail-server/oauth/complete`. */
export const oauthCompleteSchema = strictObject({ binding: handedOut, completion: handedOut });

export type OAuthCompleteInput = v.InferOutput<typeof oauthCompleteSchema>;

/** The provider's answer at the callback: a code, or an error code (`access_denied` when the tenant cancelled). */
export const callbackQuerySchema = v.object({
  state: v.optional(v.string()),
  code: v.optional(v.string()),
  error: v.optional(v.string()),
});
