// The test result's and the progress's styles (minified by scripts/build-widget.ts, like the element's).
import type { CSSResult } from 'lit';
import type { Lit } from './check.ts';

/** Made with the bundle's Lit, like the templates here. */
export const checkStyles = ({ unsafeCSS }: Lit): CSSResult =>
  unsafeCSS(`
  .test-result {
    margin-top: var(--_space);
    padding: calc(var(--_space) * 0.75);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .stages {
    list-style: none;
    margin: 0 0 0.5em;
    padding: 0;
  }
  .stages .mark {
    display: inline-block;
    width: 1.25em;
    color: var(--_success);
    font-weight: 700;
  }
  .stages [data-state='failed'] {
    color: var(--_danger);
    font-weight: 600;
  }
  .stages [data-state='failed'] .mark {
    color: inherit;
  }
  .vh {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .certificate code {
    word-break: break-all;
  }
  .elapsed {
    margin: 0 0 0.5em;
    color: var(--_muted);
  }
  .test-result dl {
    margin: 0 0 0.5em;
  }
  .test-result dt {
    font-weight: 600;
    margin-top: 0.5em;
  }
  .message {
    color: var(--_danger);
  }
  code,
  pre {
    font-family: ui-monospace, monospace;
    font-size: 0.875em;
  }
  pre {
    overflow: auto;
    max-height: 20em;
    padding: 0.5em;
    margin: 0.5em 0 0;
    background: color-mix(in srgb, var(--_border) 12%, transparent);
    border-radius: var(--_radius);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  summary {
    cursor: pointer;
    color: var(--_accent);
  }
`);
