import type { Security, SmtpStage } from '../../../contract/index.ts';
import type { MailRuntime } from '../../smtp/types.ts';
import type { Localized } from '../lang.ts';

/** What is known about the server an error came from. */
export interface LocalizeContext {
  runtime?: MailRuntime;
  host?: string;
  port?: number;
  security?: Security;
}

export type Ctx = LocalizeContext & { stage: SmtpStage };

/** " host", or nothing when the server is not to be named (a stored error of the system relay). */
export const named = (c: Ctx) => (c.host ? ` ${c.host}` : '');
/** " to host:port" (or " to host"), or nothing. */
export const at = (c: Ctx, to: string) => (c.host ? ` ${to} ${c.host}${c.port ? `:${c.port}` : ''}` : '');
export type Text = Localized | ((c: Ctx) => Localized);

export interface ErrorText {
  message: Text;
  hint: Text;
}
