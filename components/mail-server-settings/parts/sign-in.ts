// Signing in with a provider instead of a password (the optional user name, the connection and its
// buttons) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { OAuthConnection, OAuthProvider, SmtpError } from '../../../contract/index.ts';
import { type FieldContext, textField } from './fields.ts';

export const PROVIDER_NAME: Record<OAuthProvider, string> = { microsoft: 'Microsoft', google: 'Google' };

const RECONNECT_CODES: ReadonlySet<string> = new Set(['oauth_not_connected', 'oauth_grant_invalid']);

/** The error is a missing or dead sign-in: signing in again helps. */
export function needsSignIn(error: SmtpError | null): boolean {
  return !!error && RECONNECT_CODES.has(error.code);
}

/** What the buttons about signing in do outside the form (test result, warnings, recent mails). */
export interface SignInActions {
  /** Switches the form to signing in with Microsoft; null where the API does not offer it. */
  onSwitch: (() => void) | null;
  onSignIn(provider: OAuthProvider): void;
  /** Signs in again with the saved settings' provider; null when they sign in with none. */
  onReconnect: (() => void) | null;
}

/** What the sign-in shows, and the element's handlers. */
export interface SignInView extends FieldContext {
  /** The tenant's grant for the provider chosen, if it signed in. */
  connection: OAuthConnection | undefined;
  busy: boolean;
  onSignIn(provider: OAuthProvider): void;
  /** Signs in in this window instead; offered when the sign-in window closed without an outcome. */
  onSignInHere: (() => void) | null;
  onDisconnect(provider: OAuthProvider): void;
}

export function signInFields(v: SignInView, provider: OAuthProvider): TemplateResult {
  const { t, connection: c } = v;
  const name = PROVIDER_NAME[provider];
  const state = !c ? t.notConnected : c.connected ? t.connectedAs(c.account) : t.connectionExpired(c.account);
  return html`${textField(v, 'username', t.username, t.usernameSignInHint, { optional: true, placeholder: c?.account })}
    <div class="sign-in">
      <p id="oauth-state" class=${c && !c.connected ? 'error' : 'state'}>${state}</p>
      <div class="actions">
        <button part="button" id="oauth-sign-in" type="button" aria-disabled=${v.busy} aria-describedby="oauth-state authMethod-hint" @click=${() => v.onSignIn(provider)}>
          ${c ? t.reconnect : t.signInWith(name)}
        </button>
        ${
          v.onSignInHere
            ? html`<button part="button" id="oauth-sign-in-here" type="button" aria-disabled=${v.busy} @click=${v.onSignInHere}>
              ${t.signInHere}
            </button>`
            : nothing
        }
        ${
          c
            ? html`<button part="button" id="oauth-disconnect" type="button" aria-disabled=${v.busy} @click=${() => v.onDisconnect(provider)}>
              ${t.disconnect}
            </button>`
            : nothing
        }
      </div>
    </div>`;
}
