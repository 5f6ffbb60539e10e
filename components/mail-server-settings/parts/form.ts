// The settings form (server, authentication, sender, fallback, actions, reset question) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { DiscoverResult, DomainCheckResult, OAuthProvider } from '../../../contract/index.ts';
import type { Lookup } from '../controllers/domain-help.ts';
import type { Words } from '../controllers/language.ts';
import { isProvider } from '../draft.ts';
import { domainVerdict } from './domain-help.ts';
import { checkboxField, selectField, textField } from './fields.ts';
import { PROVIDER_NAME, type SignInView, signInFields } from './sign-in.ts';

/** What the form shows, and the element's handlers. */
export interface FormView extends SignInView {
  /** The providers the API offers to sign in with. */
  providers: readonly OAuthProvider[];
  /** The API lets the certificate check be switched off at all. */
  untrustedSupported: boolean;
  canTrustCertificate: boolean;
  passwordStored: boolean;
  passwordSet: boolean;
  /** Saved settings exist and the reset question is not open. */
  canReset: boolean;
  confirmingReset: boolean;
  dirty: boolean;
  /** Save is verifying the draft first. */
  verifying: boolean;
  /** What the saved settings' last test or verify said, with when (none yet: null). */
  lastCheck: string | null;
  /** The last verify failed for these values: saving without it is offered. */
  offerAnyway: boolean;
  onAnyway(): void;
  /** The address to find settings for at first (the input keeps what is typed), and what was found. */
  address: string;
  found: Lookup<DiscoverResult>;
  onDiscover(): void;
  /** The sender domain's verdict shown under the sender fields (empty while the test result shows it). */
  domain: Lookup<DomainCheckResult>;
  /** Words in the language shown (the API's only while it is the one they were asked in). */
  say(words: Words): string;
  onCheckDomain(): void;
  onSubmit(event: Event): void;
  onInput(event: Event): void;
  onBlur(event: FocusEvent): void;
  onTest(): void;
  onReset(): void;
  onResetConfirm(): void;
  onResetCancel(): void;
}

function serverFields(v: FormView): TemplateResult {
  const { t, draft: d } = v;
  const untrustedHint = !v.untrustedSupported
    ? t.allowUntrustedUnsupported
    : d.security === 'none'
      ? t.allowUntrustedNeedsTls
      : t.allowUntrustedHint;
  return html`<fieldset>
      <legend>${t.sectionServer}</legend>
      ${textField(v, 'host', t.host, t.hostHint, { required: true })}
      <div class="row">
        ${selectField(v, 'security', t.security, t.securityHint, [
          ['tls', 'SSL/TLS'],
          ['starttls', 'STARTTLS'],
          ['none', t.none],
        ])}
        ${textField(v, 'port', t.port, t.portHint, { inputmode: 'numeric', required: true })}
      </div>
      ${
        d.security === 'none'
          ? html`<p class="warning" part="warning" id="security-warning">${t.securityNoneWarning(d.authMethod === 'plain' || d.authMethod === 'login')}</p>`
          : nothing
      }
      ${checkboxField(v, 'allowUntrustedCertificate', t.allowUntrusted, untrustedHint, !v.canTrustCertificate)}
    </fieldset>`;
}

function authFields(v: FormView): TemplateResult {
  const { t, draft: d } = v;
  const hint = v.passwordStored ? t.passwordKept : v.passwordSet ? t.passwordNewServer : t.passwordHint;
  // The offered providers, and the saved one should the API no longer offer it (so the choice shows as it is).
  const providers = new Set([...v.providers, ...(isProvider(d.authMethod) ? [d.authMethod] : [])]);
  return html`<fieldset>
      <legend>${t.sectionAuth}</legend>
      ${selectField(
        v,
        'authMethod',
        t.authMethod,
        isProvider(d.authMethod) ? t.signInHint(PROVIDER_NAME[d.authMethod]) : t.authHint,
        [
          ['none', t.none],
          ['plain', 'PLAIN'],
          ['login', 'LOGIN'],
          ['cram-md5', 'CRAM-MD5'],
          ...[...providers].map((p): [string, string] => [p, t.signInWith(PROVIDER_NAME[p])]),
        ],
      )}
      ${
        d.authMethod === 'none'
          ? nothing
          : isProvider(d.authMethod)
            ? signInFields(v, d.authMethod)
            : html`${textField(v, 'username', t.username, null, { required: true })}
          ${textField(v, 'password', t.password, hint, {
            type: 'password',
            autocomplete: 'new-password',
            required: !v.passwordStored,
          })}`
      }
    </fieldset>`;
}

function actions(v: FormView): TemplateResult {
  const { t, busy } = v;
  return html`<div class="actions">
      <button part="button button-primary" class="primary" type="submit" aria-disabled=${busy}>
        ${v.verifying ? t.checking : t.save}
      </button>
      ${
        v.offerAnyway
          ? html`<button part="button" id="anyway" type="button" aria-disabled=${busy} @click=${v.onAnyway}>
            ${t.saveAnyway}
          </button>`
          : nothing
      }
      <button part="button" id="test" type="button" aria-disabled=${busy} aria-describedby="test-hint" @click=${v.onTest}>
        ${t.test}
      </button>
      ${
        v.canReset
          ? html`<button part="button" id="reset" type="button" aria-disabled=${busy} @click=${v.onReset}>
            ${t.reset}
          </button>`
          : nothing
      }
      ${v.dirty ? html`<span class="dirty" part="dirty">${t.unsaved}</span>` : nothing}
    </div>
    ${v.lastCheck ? html`<p class="hint" part="hint" id="last-check">${v.lastCheck}</p>` : nothing}`;
}

function resetConfirmation(v: FormView): TemplateResult {
  const { t } = v;
  return html`<div class="confirm" role="group" aria-labelledby="reset-question" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && v.onResetCancel()}>
      <p id="reset-question">${t.resetQuestion}</p>
      <button part="button button-danger" class="danger" type="button" aria-disabled=${v.busy} @click=${v.onResetConfirm}>
        ${t.resetConfirm}
      </button>
      <button part="button" id="reset-cancel" type="button" @click=${v.onResetCancel}>${t.cancel}</button>
    </div>`;
}

export function settingsForm(v: FormView): TemplateResult {
  const { t } = v;
  return html`<form part="form" novalidate @submit=${v.onSubmit} @input=${v.onInput} @focusout=${v.onBlur}>
      ${serverFields(v)} ${authFields(v)}
      <fieldset>
        <legend>${t.sender}</legend>
        ${textField(v, 'fromAddress', t.fromAddress, t.fromAddressHint, { type: 'email', optional: true })}
        ${textField(v, 'fromName', t.fromName, t.fromNameHint, { optional: true })}
        ${textField(v, 'replyTo', t.replyTo, t.replyToHint, { type: 'email', optional: true })}
        <button part="button" id="check-domain" type="button" aria-disabled=${!!v.domain.busy} @click=${v.onCheckDomain}>
          ${t.domainCheck}
        </button>
        ${domainVerdict(t, v.domain, v.say)}
      </fieldset>
      ${checkboxField(v, 'fallbackToSystem', t.fallbackLabel, t.fallbackHint, false)}
      ${actions(v)}
      <p class="hint" part="hint" id="test-hint">${t.testHint}</p>
      ${v.confirmingReset ? resetConfirmation(v) : nothing}
    </form>`;
}
