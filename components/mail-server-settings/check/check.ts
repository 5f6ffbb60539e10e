// What only a test or a verify needs: a chunk of its own, loaded when the tenant presses Test or Save.
// It brings no Lit of its own (the bundle hands its `html` in), so the bundle shares nothing with it.
import type { html, nothing, TemplateResult, unsafeCSS } from 'lit';
import type { Messages } from '../translations/en.ts';
import { type StageEntry, stageList } from './result.ts';

export { testResultPanel } from './result.ts';
export { readCheck } from './stream.ts';
export { checkStyles } from './styles.ts';

/** The bundle's Lit, for the templates here. */
export interface Lit {
  html: typeof html;
  nothing: typeof nothing;
  unsafeCSS: typeof unsafeCSS;
}

/** A running test or verify: its id once the API named it, when it started, its stages so far. */
export interface Progress {
  id?: string;
  startedAt: number;
  stages: StageEntry[];
}

/**
 * The stages ticking, the seconds since the start and Cancel. Only the stage list is a live region:
 * a screen reader hears each stage, not each second.
 */
export function progressPanel(lit: Lit, t: Messages, progress: Progress, onCancel: () => void): TemplateResult {
  const { html } = lit;
  const seconds = Math.floor((Date.now() - progress.startedAt) / 1000);
  return html`<section part="test-result" class="test-result" aria-label=${t.stagesLabel} aria-busy="true">
      <div aria-live="polite">${stageList(lit, t, progress.stages)}</div>
      <p class="elapsed">${t.runningFor(seconds)}</p>
      <button part="button" id="cancel-check" type="button" @click=${onCancel}>${t.cancel}</button>
    </section>`;
}
