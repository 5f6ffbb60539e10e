// The form's own checks before save or test, with the API's rules for hosts and addresses: pure, no DOM.
import { isEmailAddress, isHost } from '../../contract/rules/host.ts';
import { type Draft, type FieldName, isProvider } from './draft.ts';
import type { Messages } from './translations/en.ts';

export type FieldErrors = Partial<Record<FieldName, string>>;

/** What the checks need beyond the draft. */
export interface ValidationContext {
  /** Ports the API refuses. */
  blockedPorts: readonly number[];
  /** The stored password applies to the draft, so none need be entered. */
  passwordStored: boolean;
}

// Control characters as the API refuses them (its text check lives on the server side only).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The first error of each field, worded from `messages`. */
export function clientErrors(draft: Draft, context: ValidationContext, messages: Messages['errors']): FieldErrors {
  const d = draft;
  const errors: FieldErrors = {};
  const check = (field: FieldName, code: Exclude<keyof Messages['errors'], 'port_blocked'> | null) => {
    if (code && !errors[field]) errors[field] = messages[code];
  };
  for (const field of ['host', 'username', 'password', 'fromAddress', 'fromName', 'replyTo'] as const) {
    check(field, CONTROL.test(d[field]) ? 'control_chars' : null);
  }
  const host = d.host.trim();
  check('host', !host ? 'required' : isHost(host) ? null : 'host_invalid');
  const port = Number(d.port);
  if (!/^\d+$/.test(d.port.trim()) || port < 1 || port > 65535) check('port', 'port_range');
  else if (context.blockedPorts.includes(port)) errors.port = messages.port_blocked(port);
  // A sign-in needs no user name (the signed-in account's by default) and no password, but encryption:
  // its access token is as good as a password.
  if (isProvider(d.authMethod)) check('security', d.security === 'none' ? 'oauth_needs_tls' : null);
  else if (d.authMethod !== 'none') {
    check('username', d.username.trim() ? null : 'username_required');
    check('password', d.password || context.passwordStored ? null : 'password_required');
  }
  for (const field of ['fromAddress', 'replyTo'] as const) {
    const value = d[field].trim();
    check(field, value && !isEmailAddress(value) ? 'email_invalid' : null);
  }
  return errors;
}
