import { unsafeCSS } from 'lit';

// Inherited properties are reset on the inner .root with `all: initial` (page rules that match
// the host element beat :host rules), so the host page's text styles (line-height,
// letter-spacing, text-transform …) cannot change the layout; `all` leaves custom properties
// and `direction` alone. The font family is inherited on purpose; everything else is themed
// through --mss-* properties and ::part().
//
// A constant string through unsafeCSS() rather than the css`` tag: nothing here is unsafe (no
// interpolation), and the bundle then leaves out the tag's code (about 150 bytes gzip).
// scripts/build-widget.ts minifies this CSS.
export default unsafeCSS(`
  :host {
    display: block;
    max-width: var(--mss-max-width, 42rem);
  }
  .root {
    all: initial;
    display: block;
    font-family: var(--mss-font-family, inherit);
    font-size: var(--mss-font-size, 1rem);
    line-height: 1.5;
    direction: ltr;
    color: var(--mss-color-text, #1f2328);
    background: var(--mss-color-background, #fff);
    --_space: var(--mss-spacing, 1rem);
    --_radius: var(--mss-radius, 6px);
    --_border: var(--mss-color-border, #8c959f);
    --_muted: var(--mss-color-muted, #59636e);
    --_accent: var(--mss-color-accent, #0b5cad);
    --_danger: var(--mss-color-danger, #b42318);
    --_success: var(--mss-color-success, #067647);
    --_warning: var(--mss-color-warning, #7a4b00);
    --_warning-bg: var(--mss-color-warning-background, #fff8e6);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.375em;
    line-height: 1.3;
    margin: 0 0 calc(var(--_space) * 0.25);
  }
  h3 {
    font-size: 1.125em;
    margin: 0 0 calc(var(--_space) * 0.5);
  }
  p {
    margin: 0;
  }
  .hint,
  .loading,
  .optional,
  .route dt,
  .when,
  .via,
  .check input:disabled + label {
    color: var(--_muted);
  }
  .hint,
  .error {
    font-size: 0.875em;
    margin-top: 0.25em;
  }
  .route {
    margin: var(--_space) 0;
    padding: calc(var(--_space) * 0.75);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .route dl {
    display: grid;
    grid-template-columns: fit-content(40%) 1fr;
    gap: 0.125em 0.75em;
    margin: 0.5em 0 0;
  }
  dd {
    margin: 0;
    /* Not anywhere: that lets the grid squeeze the column and split words that would fit. */
    overflow-wrap: break-word;
  }
  fieldset {
    border: 0;
    margin: 0 0 var(--_space);
    padding: 0;
    min-width: 0;
  }
  legend {
    font-weight: 600;
    font-size: 1.0625em;
    padding: 0;
    margin-bottom: calc(var(--_space) * 0.5);
  }
  .field {
    margin-bottom: calc(var(--_space) * 0.875);
  }
  .row {
    display: grid;
    grid-template-columns: 1fr minmax(6rem, 9rem);
    gap: 0 var(--_space);
  }
  label {
    display: block;
    font-weight: 500;
    margin-bottom: 0.25em;
  }
  .optional {
    font-weight: 400;
  }
  input:not([type='checkbox']),
  select {
    display: block;
    width: 100%;
    min-height: 2.5em;
    padding: 0.4em 0.6em;
    font: inherit;
    color: inherit;
    background: var(--mss-color-background, #fff);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin: 0;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'] {
    border-color: var(--_danger);
    box-shadow: inset 0 0 0 1px var(--_danger);
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .check {
    display: grid;
    grid-template-columns: auto 1fr;
    column-gap: 0.5em;
    align-items: start;
  }
  .check input {
    width: 1.125em;
    height: 1.125em;
    margin: 0.2em 0 0;
    accent-color: var(--_accent);
  }
  .check label {
    margin: 0;
  }
  .check .hint,
  .check .error {
    grid-column: 2;
  }
  .error {
    color: var(--_danger);
    font-weight: 500;
  }
  .warning {
    color: var(--_warning);
    background: var(--_warning-bg);
    border-left: 4px solid currentColor;
    border-radius: var(--_radius);
    padding: 0.5em 0.75em;
    margin: 0 0 calc(var(--_space) * 0.875);
  }
  ul.warning {
    padding-left: 1.75em;
  }
  /* The basis beats the inputs' width: 100%, so the button sits beside the address when there is room. */
  .discover input {
    flex: 1 1 14em;
  }
  .warning .switch {
    display: block;
    margin-top: 0.5em;
  }
  .sign-in {
    display: grid;
    gap: calc(var(--_space) * 0.5);
    margin-bottom: calc(var(--_space) * 0.875);
  }
  .sign-in .state {
    font-weight: 500;
  }
  .actions,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: calc(var(--_space) * 0.5);
  }
  .confirm {
    margin-top: var(--_space);
    padding: calc(var(--_space) * 0.75);
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
  }
  .confirm p {
    flex-basis: 100%;
  }
  button {
    font: inherit;
    font-weight: 500;
    min-height: 2.5em;
    padding: 0.4em 1em;
    color: var(--_accent);
    background: var(--mss-color-background, #fff);
    border: 1px solid currentColor;
    border-radius: var(--_radius);
    cursor: pointer;
  }
  button.primary {
    color: var(--mss-color-on-accent, #fff);
    background: var(--_accent);
    border-color: var(--_accent);
  }
  button.danger {
    color: #fff;
    background: var(--_danger);
    border-color: var(--_danger);
  }
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  .dirty {
    color: var(--_warning);
    font-size: 0.875em;
    font-weight: 500;
  }
  .dirty::before {
    content: '● ';
  }
`);
