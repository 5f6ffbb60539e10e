import * as v from 'valibot';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { hasControlChars } from '../../util/text.ts';

// Messages are field-error codes (api/i18n/field-messages.ts); the route localizes them.

/** `?address=`: the e-mail address whose settings are looked for (the contract's e-mail rule). */
export const discoverQuerySchema = v.object({
  address: v.pipe(
    v.string('required'),
    v.check((s) => !hasControlChars(s), 'control_chars'),
    v.trim(),
    v.nonEmpty('required'),
    v.maxLength(254, 'too_long'),
    v.check(isEmailAddress, 'email_invalid'),
  ),
});
