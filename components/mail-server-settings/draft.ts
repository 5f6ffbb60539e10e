// The form's values (the draft) and how they map from the API's settings, to its input and from a
// server found for an address: pure, no DOM.
import type {
  Capabilities,
  DiscoverCandidate,
  MailServerResponse,
  MailServerSettingsInput,
  OAuthProvider,
  PasswordAuthMethod,
  Security,
} from '../../contract/index.ts';
import { isSavedServer, type ServerSettings } from '../../contract/rules/saved-server.ts';

/** The authentication choice: a method with user name and password (or none), or signing in with a provider. */
export type AuthChoice = PasswordAuthMethod | OAuthProvider;

/** The form's values, as the inputs hold them (all strings except choices and checkboxes). */
export interface Draft {
  host: string;
  port: string;
  security: Security;
  allowUntrustedCertificate: boolean;
  /** The certificate the tenant trusted (SHA-256 hex), '' for none. */
  trustedCertificateSha256: string;
  authMethod: AuthChoice;
  username: string;
  password: string;
  fromAddress: string;
  fromName: string;
  replyTo: string;
  fallbackToSystem: boolean;
}
export type FieldName = keyof Draft;

export const DEFAULT_PORT: Record<Security, string> = { tls: '465', starttls: '587', none: '587' };

/** Each provider's submission server, filled in when its sign-in is chosen (still editable). */
export const PROVIDER_SERVER: Record<OAuthProvider, Pick<Draft, 'host' | 'port' | 'security'>> = {
  microsoft: { host: 'smtp.office365.com', port: '587', security: 'starttls' },
  google: { host: 'smtp.gmail.com', port: '465', security: 'tls' },
};

/** The authentication choice (or a redirect's `provider`) names a provider to sign in with (XOAUTH2). */
export function isProvider(value: string): value is OAuthProvider {
  return Object.hasOwn(PROVIDER_SERVER, value);
}

export const EMPTY_DRAFT: Draft = {
  host: '',
  port: DEFAULT_PORT.tls,
  security: 'tls',
  allowUntrustedCertificate: false,
  trustedCertificateSha256: '',
  authMethod: 'plain',
  username: '',
  password: '',
  fromAddress: '',
  fromName: '',
  replyTo: '',
  fallbackToSystem: true,
};

/** The fields in the form's order. */
export const FIELDS = Object.keys(EMPTY_DRAFT) as FieldName[];

/** The fields by their path in the API's problem `errors` (the request body's), where it differs from the name. */
const FIELD_BY_PATH = new Map<string, FieldName>([
  ['auth', 'authMethod'],
  ['auth.method', 'authMethod'],
  ['auth.username', 'username'],
  ['auth.password', 'password'],
  ['auth.provider', 'authMethod'],
  ['provider', 'authMethod'],
  ['from.address', 'fromAddress'],
  ['from.name', 'fromName'],
  ['trustedCertificateSha256', 'allowUntrustedCertificate'],
]);

/** The field an API error's path names, if the form has one. */
export function fieldForPath(path: string): FieldName | undefined {
  return FIELD_BY_PATH.get(path) ?? FIELDS.find((f) => f === path);
}

/** A problem's field errors: the first for each field of the form, and the others as `path: message` lines. */
export function problemErrors(errors: readonly { path: string; message: string }[]): {
  fieldErrors: Partial<Record<FieldName, string>>;
  details: string[];
} {
  const fieldErrors: Partial<Record<FieldName, string>> = {};
  const details: string[] = [];
  for (const { path, message } of errors) {
    const field = fieldForPath(path);
    if (field && !fieldErrors[field]) fieldErrors[field] = message;
    else if (!field) details.push(`${path}: ${message}`);
  }
  return { fieldErrors, details };
}

/**
 * The draft of saved settings (the password is never sent back), or the empty one. A sign-in's
 * user name that is the signed-in account stays empty, so it follows the account after a new sign-in.
 */
export function draftFrom(response: MailServerResponse): Draft {
  const s = response.settings;
  if (!s) return { ...EMPTY_DRAFT };
  const { auth } = s;
  const oauth = auth.method === 'xoauth2';
  return {
    host: s.host,
    port: String(s.port),
    security: s.security,
    allowUntrustedCertificate: s.allowUntrustedCertificate,
    trustedCertificateSha256: s.trustedCertificateSha256 ?? '',
    authMethod: oauth ? auth.provider : auth.method,
    username: (oauth && auth.username === auth.account ? null : auth.username) ?? '',
    password: '',
    fromAddress: s.from.address ?? '',
    fromName: s.from.name ?? '',
    replyTo: s.replyTo ?? '',
    fallbackToSystem: s.fallbackToSystem,
  };
}

/**
 * The draft after one control changed; the port follows the encryption until it was edited. Choosing
 * a provider's sign-in fills in its server.
 */
export function withChange(draft: Draft, name: FieldName, value: string | boolean, portEdited: boolean): Draft {
  const changed = { ...draft, [name]: value } as Draft;
  if (name === 'security' && !portEdited) changed.port = DEFAULT_PORT[changed.security];
  if (name === 'authMethod' && isProvider(changed.authMethod))
    Object.assign(changed, PROVIDER_SERVER[changed.authMethod]);
  return changed;
}

/** The input's authentication: none, a password method (no password: keep the stored one) or a provider's sign-in. */
function authInput(d: Draft): MailServerSettingsInput['auth'] & ServerSettings['auth'] {
  const username = d.username.trim();
  if (d.authMethod === 'none') return { method: 'none', username: null, password: null };
  if (isProvider(d.authMethod)) return { method: 'xoauth2', provider: d.authMethod, username: username || null };
  return { method: d.authMethod, username, ...(d.password ? { password: d.password } : {}) };
}

/** Whether "always trust the certificate" can apply: the API offers it and the connection is encrypted. */
export function canTrustCertificate(capabilities: Capabilities | null, draft: Draft): boolean {
  return !!capabilities?.allowUntrustedCertificate && draft.security !== 'none';
}

/** The API's input for a draft (trimmed; empty optional fields as null). */
export function toInput(draft: Draft, capabilities: Capabilities | null): MailServerSettingsInput & ServerSettings {
  const d = draft;
  return {
    host: d.host.trim(),
    port: Number(d.port),
    security: d.security,
    allowUntrustedCertificate: d.allowUntrustedCertificate && canTrustCertificate(capabilities, d),
    auth: authInput(d),
    from: { address: d.fromAddress.trim() || null, name: d.fromName.trim() || null },
    replyTo: d.replyTo.trim() || null,
    fallbackToSystem: d.fallbackToSystem,
    trustedCertificateSha256: d.trustedCertificateSha256 || null,
  };
}

/** A password is stored for the saved settings (and they authenticate). */
export function passwordSet(data: MailServerResponse | null): boolean {
  const auth = data?.settings?.auth;
  return !!auth && auth.method !== 'none' && auth.method !== 'xoauth2' && auth.passwordSet;
}

/** The stored password applies to the draft: only for the saved server reached no less safely (the API's rule), never to a sign-in. */
export function passwordStored(data: MailServerResponse | null, draft: Draft): boolean {
  const s = data?.settings;
  if (!s || !passwordSet(data) || isProvider(draft.authMethod)) return false;
  const saved = {
    host: s.host,
    port: s.port,
    username: s.auth.username,
    security: s.security,
    authMethod: s.auth.method,
    allowUntrustedCertificate: s.allowUntrustedCertificate,
    tlsPinSha256: s.trustedCertificateSha256 ?? null,
  };
  return isSavedServer(saved, toInput(draft, data.capabilities));
}

/**
 * The draft with a found server: host, port, encryption, user name and how to log in. Signing in is
 * chosen when the server is its provider's and the API offers that provider; else a password
 * method (the one chosen, or PLAIN), or none for a server that takes no login. A certificate
 * trusted for another host does not carry over; the rest of the draft (password, sender) stays.
 */
export function withCandidate(draft: Draft, c: DiscoverCandidate, providers: readonly OAuthProvider[]): Draft {
  const provider = c.oauthProvider;
  const signIn = provider && c.auth.includes('oauth2') && providers.includes(provider) ? provider : null;
  const password = isProvider(draft.authMethod) || draft.authMethod === 'none' ? 'plain' : draft.authMethod;
  return {
    ...draft,
    host: c.host,
    port: String(c.port),
    security: c.security,
    trustedCertificateSha256: c.host === draft.host ? draft.trustedCertificateSha256 : '',
    authMethod: signIn ?? (c.auth.length ? password : 'none'),
    username: c.username,
  };
}

/** The address to look settings up for at first: the saved sender, else the tenant's own. */
export function startAddress(response: MailServerResponse): string {
  const { effective } = response;
  // On the system route the sender is the system's; the tenant's own address is the Reply-To.
  return effective.route === 'tenant' ? effective.from.address : effective.replyTo;
}
