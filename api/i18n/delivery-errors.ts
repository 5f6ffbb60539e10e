import type { SmtpError, SmtpStage } from '../../contract/index.ts';
import type { DeliveryError } from '../db/schema.ts';
import type { Lang } from './lang.ts';
import { localizeSmtpError } from './smtp-errors.ts';

/** A stored error in the reader's language (message + hint), as the test endpoint shows them. */
export function localizeDeliveryError(error: DeliveryError | null, lang: Lang): SmtpError | null {
  if (!error) return null;
  return localizeSmtpError(
    {
      stage: error.stage as SmtpStage,
      code: error.code,
      responseCode: error.responseCode ?? null,
      response: error.response ?? null,
      transient: false,
    },
    lang,
    error.server ? { ...error.server, oauthProvider: error.server.oauthProvider ?? undefined } : {},
  );
}
