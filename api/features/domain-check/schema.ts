import * as v from 'valibot';
import { isEmailAddress } from '../../../contract/rules/host.ts';

/** `?address=`: a draft sender to check instead of the saved one. */
export const domainCheckQuerySchema = v.object({
  address: v.optional(v.pipe(v.string(), v.trim(), v.check(isEmailAddress, 'email_invalid'))),
});

export type DomainCheckQuery = v.InferOutput<typeof domainCheckQuerySchema>;
