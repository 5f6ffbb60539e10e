// The widget's live progress and Cancel (#19) in headless Chromium against the real API stack: a
// server that logs in, then never answers MAIL FROM, shows the passed stages, the stalled one
// running, the seconds counting up and Cancel, which ends the SMTP session within 1 s and is
// recorded as cancelled; a working server's stages all pass.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import {
  axeViolations,
  fillPlain,
  focusedId,
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  recordApiCalls,
  startHostServer,
  startWidgetStack,
  type HostServer,
  type WidgetStack,
  waitForStatus,
} from './support/harness.ts';
import { closedAt } from '../support/check-cancel.ts';
import { PASSWORD, USERNAME } from '../support/smtp-servers.ts';

/** The global setup's SMTP fixtures (the stalling one among them). */
const fixtures = inject('smtpFixtures');
let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let page: Page;
/** The widget's requests to the API, as "METHOD path". */
let calls: string[];

beforeAll(async () => {
  [stack, host, browser] = await Promise.all([startWidgetStack(), startHostServer(), launchBrowser()]);
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  calls = recordApiCalls(page, stack.apiUrl);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop()]);
});

beforeEach(() => {
  calls.length = 0;
});

const w = (selector: string) => inWidget(page, selector);

/** Each listed stage with its state, in the order shown. */
const stageStates = () =>
  w('.stages li').evaluateAll((items) =>
    items.map((item) => [item.getAttribute('data-stage'), item.getAttribute('data-state')]),
  );

/** The number in the running check's "Running for N s" line. */
async function elapsedSeconds(): Promise<number> {
  return Number(/\d+/.exec(await w('.elapsed').innerText())?.[0]);
}

/** Waits until the running check's seconds show more than `seconds`. */
const waitForElapsedAbove = (seconds: number) =>
  page.waitForFunction((shown) => {
    const line = document.querySelector('mail-server-settings')?.shadowRoot?.querySelector('.elapsed');
    return Number(/\d+/.exec(line?.textContent ?? '')?.[0]) > shown;
  }, seconds);

/** Waits until the check shows the stalled MAIL FROM as running. */
const waitForStall = () => w('.stages [data-stage=mail][data-state=started]').waitFor();

let senders = 0;
/** Fills the settings of the server that stalls at MAIL FROM; answers the sender, which tells its sessions apart. */
async function fillStalling(): Promise<string> {
  const from = `rechnung-${process.pid}-${++senders}@firma.example`;
  await fillPlain(page, fixtures.ports.stallsAtMail);
  await w('#authMethod').selectOption('plain');
  await w('#username').fill(USERNAME);
  await w('#password').fill(PASSWORD);
  await w('#fromAddress').fill(from);
  return from;
}

/** Clicks Cancel; answers how long after the click the server saw the session of sender `from` close. */
async function cancelAndTime(from: string, label: string): Promise<number> {
  const answered = page.waitForResponse((response) => response.url().endsWith('/cancel'));
  const clickedAt = Date.now();
  await w('#cancel-check').click();
  const ms = (await closedAt(fixtures, from)) - clickedAt;
  console.log(`${label}: the SMTP session closed ${ms} ms after Cancel`);
  expect((await answered).status()).toBe(204);
  return ms;
}

const TEXTS = {
  en: {
    running: 'running, no answer yet',
    elapsed: /^Running for \d+ s$/,
    cancel: 'Cancel',
    cancelled: 'The test was cancelled.',
    recorded: 'The check was cancelled.',
  },
  de: {
    running: 'läuft, noch keine Antwort',
    elapsed: /^Läuft seit \d+ s$/,
    cancel: 'Abbrechen',
    cancelled: 'Der Test wurde abgebrochen.',
    recorded: 'Die Prüfung wurde abgebrochen.',
  },
} as const;

describe('a test against a server that stalls', () => {
  for (const lang of ['en', 'de'] as const) {
    test(`shows the stages ticking, the seconds counting up and Cancel, which ends the session (${lang})`, async () => {
      const texts = TEXTS[lang];
      await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('stalls'), lang });
      const from = await fillStalling();
      await w('#test').click();
      await waitForStall();

      expect(await stageStates()).toEqual([
        ['connect', 'passed'],
        ['greeting', 'passed'],
        ['ehlo', 'passed'],
        ['auth', 'passed'],
        ['mail', 'started'],
      ]);
      // The server said the password back when it let us in: the stage's reply shows it redacted.
      expect(await w('.stages').innerText()).not.toContain(PASSWORD);
      expect(await w('.stages [data-state=started]').innerText()).toContain(texts.running);
      expect(await w('.elapsed').innerText()).toMatch(texts.elapsed);
      const first = await elapsedSeconds();
      await waitForElapsedAbove(first);
      // Time went by, and the stalled stage still does not look passed.
      expect((await stageStates()).at(-1)).toEqual(['mail', 'started']);
      expect(await w('#test').getAttribute('aria-disabled')).toBe('true');

      const cancel = w('#cancel-check');
      expect(await cancel.innerText()).toBe(texts.cancel);
      await cancel.focus();
      expect(await focusedId(page)).toBe('cancel-check');
      expect(await axeViolations(page)).toEqual([]);

      expect(await cancelAndTime(from, `test (${lang})`)).toBeLessThanOrEqual(1_000);
      expect(await waitForStatus(page, new RegExp(texts.cancelled))).toContain(texts.cancelled);
      await w('#cancel-check').waitFor({ state: 'detached' });
      expect(await w('.stages [data-state=started]').count()).toBe(0);
      expect(await w('[aria-busy=true]').count()).toBe(0);
      expect(await w('#test').getAttribute('aria-disabled')).toBe('false');
      expect(await focusedId(page)).toBe('test');
      expect(await axeViolations(page)).toEqual([]);

      // The Tests tab of the delivery log shows the attempt as cancelled.
      await w('#tab-test').click();
      const attempt = w('#deliveries-panel li[data-status=failed]');
      await attempt.waitFor();
      expect(await w('#deliveries-panel li').count()).toBe(1);
      expect(await attempt.locator('.why').innerText()).toBe(texts.recorded);
      expect(await axeViolations(page)).toEqual([]);
    });
  }

  test('a cancelled verify saves nothing and says so; the form is usable again', async () => {
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('stalls-save'), lang: 'en' });
    const from = await fillStalling();
    await w('button[type=submit]').click();
    await waitForStall();
    expect(await cancelAndTime(from, 'verify (en)')).toBeLessThanOrEqual(1_000);
    await waitForStatus(page, /The check was cancelled; nothing was saved\./);
    expect(calls).toContain('POST /v1/mail-server/verify');
    expect(calls).not.toContain('PUT /v1/mail-server');
    expect(await w('#anyway').count()).toBe(0);
    expect(await w('button[type=submit]').getAttribute('aria-disabled')).toBe('false');
    expect(await axeViolations(page)).toEqual([]);
  });
});

test('a test against a working server: the progress shows, then every stage passed and the result', async () => {
  await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('streams'), lang: 'en' });
  await fillPlain(page, stack.sink.smtpPort);
  // Every state a stage was seen in while the check ran (the progress panel is busy).
  await page.evaluate(() => {
    const root = document.querySelector('mail-server-settings')!.shadowRoot!;
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => {
      for (const item of root.querySelectorAll('[aria-busy=true] .stages li'))
        seen.push(`${item.getAttribute('data-stage')}:${item.getAttribute('data-state')}`);
    }).observe(root, { subtree: true, childList: true, attributes: true });
  });
  const asked = page.waitForRequest(
    (request) => request.url().endsWith('/v1/mail-server/test') && request.method() === 'POST',
  );
  await w('#test').click();
  expect((await asked).headers().accept).toContain('text/event-stream');
  await w('[part=test-result][data-ok=true]').waitFor();

  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen).toContain('connect:passed');
  expect(seen.filter((entry) => entry.endsWith(':failed'))).toEqual([]);
  expect(await stageStates()).toEqual(
    ['connect', 'greeting', 'ehlo', 'mail', 'rcpt', 'data'].map((s) => [s, 'passed']),
  );
  await waitForStatus(page, /Test e-mail sent to your own address in \d+ ms\./);
  expect(await axeViolations(page)).toEqual([]);
});
