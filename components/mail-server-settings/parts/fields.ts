// One labelled field of the form (label, control, hint, error) as a pure template.
import { html, nothing, type TemplateResult } from 'lit';
import type { Draft, FieldName } from '../draft.ts';
import type { Messages } from '../translations/en.ts';

/** What every field reads: the texts, the values and the error shown for a field. */
export interface FieldContext {
  t: Messages;
  draft: Draft;
  errorFor(name: FieldName): string | undefined;
}

interface Described {
  describedBy: string;
  invalid: boolean;
}

interface TextOptions {
  type?: string;
  autocomplete?: string;
  inputmode?: string;
  required?: boolean;
  optional?: boolean;
  placeholder?: string | undefined;
}

function describedBy(c: FieldContext, name: FieldName, hint: boolean): Described {
  const invalid = !!c.errorFor(name);
  const ids = [
    hint ? `${name}-hint` : '',
    invalid ? `${name}-error` : '',
    name === 'security' && c.draft.security === 'none' ? 'security-warning' : '',
  ];
  return { describedBy: ids.filter(Boolean).join(' '), invalid };
}

function field(
  c: FieldContext,
  name: FieldName,
  label: string,
  hint: string | null,
  control: (a: Described) => TemplateResult,
  optional = false,
): TemplateResult {
  const error = c.errorFor(name);
  const { t } = c;
  return html`<div part="field" class="field">
      <label part="label" for=${name}>
        ${label}${optional ? html` <span class="optional">(${t.optionalMark})</span>` : nothing}
      </label>
      ${control(describedBy(c, name, !!hint))}
      ${hint ? html`<p part="hint" class="hint" id="${name}-hint">${hint}</p>` : nothing}
      ${error ? html`<p part="error" class="error" id="${name}-error">${error}</p>` : nothing}
    </div>`;
}

/** A field with a text input (autocomplete off unless given). */
export function textField(
  c: FieldContext,
  name: FieldName,
  label: string,
  hint: string | null,
  options: TextOptions,
): TemplateResult {
  const input = (a: Described) => html`<input
      part="input"
      id=${name}
      name=${name}
      type=${options.type ?? 'text'}
      .value=${c.draft[name] as string}
      autocomplete=${options.autocomplete ?? 'off'}
      inputmode=${options.inputmode ?? nothing}
      placeholder=${options.placeholder ?? nothing}
      spellcheck="false"
      ?required=${options.required}
      aria-describedby=${a.describedBy || nothing}
      aria-invalid=${a.invalid ? 'true' : nothing}
    />`;
  return field(c, name, label, hint, input, options.optional);
}

export function selectField(
  c: FieldContext,
  name: 'security' | 'authMethod',
  label: string,
  hint: string,
  options: [string, string][],
): TemplateResult {
  const select = (a: Described) => html`<select
      part="input"
      id=${name}
      name=${name}
      aria-describedby=${a.describedBy || nothing}
      aria-invalid=${a.invalid ? 'true' : nothing}
    >
      ${options.map(([value, text]) => html`<option value=${value} ?selected=${c.draft[name] === value}>${text}</option>`)}
    </select>`;
  return field(c, name, label, hint, select);
}

export function checkboxField(
  c: FieldContext,
  name: 'allowUntrustedCertificate' | 'fallbackToSystem',
  label: string,
  hint: string,
  disabled: boolean,
): TemplateResult {
  const error = c.errorFor(name);
  const { describedBy: ids, invalid } = describedBy(c, name, true);
  return html`<div part="field" class="field check">
      <input
        part="input"
        type="checkbox"
        id=${name}
        name=${name}
        .checked=${c.draft[name] && !disabled}
        ?disabled=${disabled}
        aria-describedby=${ids}
        aria-invalid=${invalid ? 'true' : nothing}
      />
      <label part="label" for=${name}>${label}</label>
      <p part="hint" class="hint" id="${name}-hint">${hint}</p>
      ${error ? html`<p part="error" class="error" id="${name}-error">${error}</p>` : nothing}
    </div>`;
}
