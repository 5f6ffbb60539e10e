import { unsafeCSS } from 'lit';

// The status line and the deliveries list (minified by scripts/build-widget.ts, like the form's
// styles); the test result's come with the check chunk.
export default unsafeCSS(`
  .status:not(:empty) {
    margin-top: var(--_space);
  }
  .status[data-tone] {
    padding: 0.5em 0.75em;
    border-radius: var(--_radius);
    border-left: 4px solid currentColor;
  }
  .status[data-tone='success'] {
    color: var(--_success);
  }
  .status[data-tone='error'] {
    color: var(--_danger);
  }
  .status ul {
    margin: 0.25em 0 0;
  }
  .status button {
    margin-top: 0.5em;
  }
  .deliveries {
    margin-top: calc(var(--_space) * 1.5);
  }
  .deliveries ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  /* Time, subject and status in columns that line up at any width; the rest below, full width. */
  .deliveries li {
    display: grid;
    grid-template-columns: 8.5em minmax(0, 1fr) max-content;
    gap: 0.25em 0.75em;
    align-items: baseline;
    padding: 0.5em 0;
    border-top: 1px solid var(--_border);
  }
  .deliveries li > :nth-child(n + 4) {
    grid-column: 1 / -1;
  }
  .what {
    overflow-wrap: break-word;
  }
  .tabs {
    display: flex;
    gap: 0.5em;
    margin-bottom: 0.5em;
  }
  [role='tab'] {
    font: inherit;
    background: none;
    border: 0;
    border-bottom: 2px solid transparent;
    padding: 0.25em 0.5em;
    color: inherit;
    cursor: pointer;
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
  }
  .next,
  .reply {
    font-size: 0.875em;
  }
  .address {
    overflow-wrap: normal;
    word-break: normal;
  }
  .badge[data-status='failed'],
  .why {
    color: var(--_danger);
  }
  .badge[data-status='sent'] {
    color: var(--_success);
  }
  .why {
    flex-basis: 100%;
    font-size: 0.875em;
  }
`);
