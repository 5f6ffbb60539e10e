// The form's values (the draft) and how they map from the API's settings and to its input: pure, no DOM.
import type {
  PasswordAuthMethod,
  AuthMethod,
  Capabilities,
  MailServerResponse,
  MailServerSettingsInput,
  Security,
} from '../../contract/index.ts';
import { isSavedServer, type ServerSettings } from '../../contract/rules/saved-server.ts';

/** The form's values, as the inputs hold them (all strings except choices and checkboxes). */
export interface Draft {
  host: string;
  port: string;
  security: Security;
  allowUntrustedCertificate: boolean;
  authMethod: AuthMethod;
  username: string;
  password: string;
  fromAddress: string;
  fromName: string;
  replyTo: string;
  fallbackToSystem: boolean;
}
export type FieldName = keyof Draft;

export const DEFAULT_PORT: Record<Security, string> = { tls: '465', starttls: '587', none: '587' };

export const EMPTY_DRAFT: Draft = {
  host: '',
  port: DEFAULT_PORT.tls,
  security: 'tls',
  allowUntrustedCertificate: false,
  authMethod: 'plain',
  username: '',
  password: '',
  fromAddress: '',
  fromName: '',
  replyTo: '',
  fallbackToSystem: false,
};

/** The fields in the form's order. */
export const FIELDS = Object.keys(EMPTY_DRAFT) as FieldName[];

/** The fields by their path in the API's problem `errors` (the request body's), where it differs from the name. */
const FIELD_BY_PATH = new Map<string, FieldName>([
  ['auth', 'authMethod'],
  ['auth.method', 'authMethod'],
  ['auth.username', 'username'],
  ['auth.password', 'password'],
  ['from.address', 'fromAddress'],
  ['from.name', 'fromName'],
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

/** The draft of saved settings (the password is never sent back), or the empty one. */
export function draftFrom(response: MailServerResponse): Draft {
  const s = response.settings;
  if (!s) return { ...EMPTY_DRAFT };
  return {
    host: s.host,
    port: String(s.port),
    security: s.security,
    allowUntrustedCertificate: s.allowUntrustedCertificate,
    authMethod: s.auth.method,
    username: s.auth.username ?? '',
    password: '',
    fromAddress: s.from.address ?? '',
    fromName: s.from.name ?? '',
    replyTo: s.replyTo ?? '',
    fallbackToSystem: s.fallbackToSystem,
  };
}

/** The draft after one control changed; the port follows the encryption until it was edited. */
export function withChange(draft: Draft, name: FieldName, value: string | boolean, portEdited: boolean): Draft {
  const changed = { ...draft, [name]: value } as Draft;
  if (name === 'security' && !portEdited) changed.port = DEFAULT_PORT[changed.security];
  return changed;
}

/** Whether "always trust the certificate" can apply: the API offers it and the connection is encrypted. */
export function canTrustCertificate(capabilities: Capabilities | null, draft: Draft): boolean {
  return !!capabilities?.allowUntrustedCertificate && draft.security !== 'none';
}

/** The API's input for a draft (trimmed; empty optional fields as null; no password means keep the stored one). */
export function toInput(draft: Draft, capabilities: Capabilities | null): MailServerSettingsInput & ServerSettings {
  const d = draft;
  return {
    host: d.host.trim(),
    port: Number(d.port),
    security: d.security,
    allowUntrustedCertificate: d.allowUntrustedCertificate && canTrustCertificate(capabilities, d),
    auth:
      d.authMethod === 'none'
        ? { method: 'none', username: null, password: null }
        : {
            method: d.authMethod as PasswordAuthMethod,
            username: d.username.trim(),
            ...(d.password ? { password: d.password } : {}),
          },
    from: { address: d.fromAddress.trim() || null, name: d.fromName.trim() || null },
    replyTo: d.replyTo.trim() || null,
    fallbackToSystem: d.fallbackToSystem,
  };
}

/** A password is stored for the saved settings (and they authenticate). */
export function passwordSet(data: MailServerResponse | null): boolean {
  const auth = data?.settings?.auth;
  return !!auth && auth.method !== 'none' && auth.method !== 'xoauth2' && auth.passwordSet;
}

/** The stored password applies to the draft: only for the saved server reached no less safely (the API's rule). */
export function passwordStored(data: MailServerResponse | null, draft: Draft): boolean {
  const s = data?.settings;
  if (!s || !passwordSet(data)) return false;
  const saved = {
    host: s.host,
    port: s.port,
    username: s.auth.username,
    security: s.security,
    authMethod: s.auth.method,
    allowUntrustedCertificate: s.allowUntrustedCertificate,
  };
  return isSavedServer(saved, toInput(draft, data.capabilities));
}
