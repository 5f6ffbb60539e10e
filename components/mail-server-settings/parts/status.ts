// Where mail goes now, and the live status region, as pure templates.
import { html, nothing, type TemplateResult } from 'lit';
import type { MailServerResponse } from '../../../contract/index.ts';
import type { MailServerAction } from '../../events.ts';
import type { Words } from '../controllers/language.ts';
import type { Messages } from '../translations/en.ts';

/** What the status region says, with its tone. */
export interface StatusMessage extends Words {
  tone: 'success' | 'error' | 'info';
  /** Field errors the API reported for paths the form has no field for (API words, in `lang`). */
  details?: string[];
  /** Offer to reload the settings (after a 412). */
  reload?: boolean;
  /** The text counts down to this time (epoch ms; after a 429). */
  retryAt?: number | undefined;
}

/** What the status says while an action runs. */
export function busyText(t: Messages, action: MailServerAction): string {
  const texts: Partial<Record<MailServerAction, string>> = {
    save: t.saving,
    test: t.testing,
    reset: t.resetting,
    'sign-in': t.signingIn,
    disconnect: t.disconnecting,
  };
  return texts[action] ?? t.loadingText;
}

/** An e-mail address that may wrap after its @ and before its dots, not inside a word. */
export function address(value: string): (string | TemplateResult)[] {
  return value.split(/(?=\.)|(?<=@)/).flatMap((part, i) => (i ? [html`<wbr>`, part] : [part]));
}

export function routeSummary(t: Messages, data: MailServerResponse): TemplateResult {
  const { effective } = data;
  const host = data.settings?.host ?? '';
  return html`<div class="route" data-route=${effective.route}>
      <p>${effective.route === 'tenant' ? t.routeTenant(host) : t.routeSystem}</p>
      <dl>
        <dt>${t.sender}</dt>
        <dd>${effective.from.name} &lt;${address(effective.from.address)}&gt;</dd>
        <dt>${t.repliesTo}</dt>
        <dd>${address(effective.replyTo)}</dd>
      </dl>
    </div>`;
}

export interface StatusView {
  text: string | null;
  tone: 'success' | 'error' | 'info' | undefined;
  details: string[] | undefined;
  /** Offer to reload the settings (after a 412 or a failed load). */
  reload: boolean;
  busy: boolean;
  onReload(): void;
}

export function statusRegion(t: Messages, s: StatusView): TemplateResult {
  // Focusable from code (tabindex -1), so a confirmation can be brought into view with the focus.
  return html`<div part="status" id="status" class="status" role="status" tabindex="-1" data-tone=${(s.text && s.tone) || nothing}>
      ${s.text ? html`<p>${s.text}</p>` : nothing}
      ${s.details?.length ? html`<ul>${s.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
      ${
        s.reload
          ? html`<button part="button" type="button" aria-disabled=${s.busy} @click=${s.onReload}>
            ${t.reloadLabel}
          </button>`
          : nothing
      }
    </div>`;
}
