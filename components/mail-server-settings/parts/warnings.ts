// Warnings about setups that work but are risky (of the saved settings or of a test) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { TestWarning } from '../../../contract/index.ts';
import { type Draft, isProvider } from '../draft.ts';
import type { Messages } from '../translations/en.ts';

/**
 * The saved settings' warnings worth showing above the draft: not the missing encryption (the form
 * warns about the draft's), nor Microsoft's end of passwords once the draft signs in instead.
 */
export function savedWarnings(warnings: readonly TestWarning[], draft: Draft): TestWarning[] {
  const signsIn = isProvider(draft.authMethod);
  return warnings.filter((w) => w.code !== 'no_encryption' && !(signsIn && w.code === 'microsoft_basic_auth_retiring'));
}

/** `onSwitch`: switches the form to signing in with Microsoft, where the API offers it. */
export function warningList(
  t: Messages,
  warnings: readonly TestWarning[],
  onSwitch: (() => void) | null,
): TemplateResult | typeof nothing {
  if (!warnings.length) return nothing;
  return html`<ul class="warning" part="warning">
      ${warnings.map(
        (w) => html`<li data-code=${w.code}>
          ${w.message}
          ${
            onSwitch && w.code === 'microsoft_basic_auth_retiring'
              ? html`<button part="button" class="switch" type="button" @click=${onSwitch}>${t.switchToSignIn('Microsoft')}</button>`
              : nothing
          }
        </li>`,
      )}
    </ul>`;
}
