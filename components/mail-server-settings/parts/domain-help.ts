// Finding the settings from an address, and the sender domain's verdict, as pure templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { DiscoverResult, DomainCheckResult } from '../../../contract/index.ts';
import type { RequestFailure } from '../api-client.ts';
import type { Lookup } from '../controllers/domain-help.ts';
import type { Words } from '../controllers/language.ts';
import type { Messages } from '../translations/en.ts';
import type { FormView } from './form.ts';

/** A failed lookup's words: the API's message for the field, else what the failure says. */
function failureWords({ text, api, lang, problem }: RequestFailure): Words {
  return { text, api: problem?.errors?.[0]?.message ?? api, lang };
}

/** Where the server filled in came from (the provider's name first, when known). */
function foundLine(t: Messages, { provider, candidates: [best] }: DiscoverResult): string {
  return best ? `${provider ? `${provider.name}: ` : ''}${t.sources[best.source]}` : t.notFound;
}

export function discoverFields(v: FormView): TemplateResult {
  const { t, found } = v;
  const line = found.busy
    ? t.checking
    : found.failure
      ? v.say(failureWords(found.failure))
      : found.body
        ? foundLine(t, found.body)
        : nothing;
  return html`<div part="field" class="field discover">
      <label part="label" for="address">${t.emailAddress}</label>
      <div class="actions">
        <input part="input" id="address" type="email" autocomplete="email" .value=${v.address}
          @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && v.onDiscover()} />
        <button part="button" id="discover" type="button" aria-disabled=${!!found.busy} @click=${v.onDiscover}>
          ${t.findSettings}
        </button>
      </div>
      <p part="hint" class=${found.failure ? 'error' : 'hint'} aria-live="polite">${line}</p>
    </div>`;
}

/** The sender domain's verdict with its findings (the API's words: what to change in the DNS), or why it could not be had. */
export function domainVerdict(
  t: Messages,
  lookup: Lookup<DomainCheckResult>,
  say: (words: Words) => string,
): TemplateResult {
  const { body, failure } = lookup;
  const text = lookup.busy ? t.checking : failure ? say(failureWords(failure)) : '';
  return html`<div part="domain-check" class=${body && body.verdict !== 'ok' ? 'warning' : 'hint'} aria-live="polite" data-verdict=${body?.verdict ?? nothing}>
      ${text}
      ${
        body && !text
          ? html`${body.domain}: ${t.verdicts[body.verdict]}
            <ul>${body.findings.map((f) => html`<li data-code=${f.code}>${f.message}</li>`)}</ul>`
          : nothing
      }
    </div>`;
}
