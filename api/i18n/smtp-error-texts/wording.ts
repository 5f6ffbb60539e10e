import type { AuthMethod, OAuthProvider, Security, SmtpStage } from '../../../contract/index.ts';
import type { MailRuntime } from '../../smtp/types.ts';
import type { Localized } from '../lang.ts';

/** What is known about the server an error came from. */
export interface LocalizeContext {
  runtime?: MailRuntime;
  host?: string;
  port?: number;
  security?: Security;
  /** The login the attempt used: with `xoauth2` a refused login is a refused token. */
  authMethod?: AuthMethod;
  /** The provider signed in with (`xoauth2`), named in the texts. */
  oauthProvider?: OAuthProvider;
}

export type Ctx = LocalizeContext & { stage: SmtpStage };

/** " host", or nothing when the server is not to be named (a stored error of the system relay). */
export const named = (c: Ctx) => (c.host ? ` ${c.host}` : '');
/** " to host:port" (or " to host"), or nothing. */
export const at = (c: Ctx, to: string) => (c.host ? ` ${to} ${c.host}${c.port ? `:${c.port}` : ''}` : '');
/** Ports where submission uses STARTTLS (SSL/TLS there is a mismatch). */
export const isStarttlsPort = (port: number | undefined) => port === 587 || port === 25 || port === 2525;
/**
 * The chosen encryption is the one the port is for (465: SSL/TLS; 587, 25, 2525: STARTTLS or none),
 * so a hint to check them would point the wrong way.
 */
export const portFits = (c: LocalizeContext) =>
  (c.port === 465 && c.security === 'tls') || (isStarttlsPort(c.port) && !!c.security && c.security !== 'tls');
/** `fits` where the port and the encryption agree, else `check` (which asks to check them). */
export const byPortFit =
  (fits: Localized, check: Localized) =>
  (c: LocalizeContext): Localized =>
    portFits(c) ? fits : check;
export type Text = Localized | ((c: Ctx) => Localized);

export interface ErrorText {
  message: Text;
  hint: Text;
}

const PROVIDER_HOSTS: { [host: string]: OAuthProvider } = {
  'smtp.office365.com': 'microsoft',
  'smtp-mail.outlook.com': 'microsoft',
  'smtp.gmail.com': 'google',
  'smtp.googlemail.com': 'google',
  'smtp-relay.gmail.com': 'google',
};

/** The provider whose submission server this is (any case, with or without the trailing dot). */
export function providerOfHost(host: string | undefined): OAuthProvider | null {
  const name = host?.trim().toLowerCase().replace(/\.$/, '') ?? '';
  return Object.hasOwn(PROVIDER_HOSTS, name) ? PROVIDER_HOSTS[name]! : null;
}

/** The provider signed in with, else the one the server belongs to. */
export const providerOf = (c: Ctx): OAuthProvider | null => c.oauthProvider ?? providerOfHost(c.host);
