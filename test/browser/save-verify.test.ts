// The widget's Save verifies the draft first (#19) in headless Chromium against the real API stack:
// a server that refuses the sender is not saved without "Save anyway"; a working one is saved after
// one verify. The refusing server is a real SMTP server on a free loopback port (plain, no auth).
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  axeViolations,
  fillPlain,
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

const REFUSAL = '5.7.1 Sender address rejected: not owned by user';

let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let page: Page;
let refusing: SMTPServer;
let refusingPort: number;
/** The widget's requests to the API, as "METHOD path". */
let calls: string[];

beforeAll(async () => {
  refusing = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onMailFrom(_address, _session, callback) {
      callback(Object.assign(new Error(REFUSAL), { responseCode: 550 }));
    },
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  refusingPort = (refusing.server.address() as { port: number }).port;
  [stack, host, browser] = await Promise.all([startWidgetStack(), startHostServer(), launchBrowser()]);
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  calls = recordApiCalls(page, stack.apiUrl);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop(), new Promise<void>((resolve) => refusing?.close(() => resolve()))]);
});

beforeEach(() => {
  calls.length = 0;
});

const w = (selector: string) => inWidget(page, selector);
const saves = () => calls.filter((call) => call === 'PUT /v1/mail-server').length;
const verifies = () => calls.filter((call) => call === 'POST /v1/mail-server/verify').length;

describe('Save verifies first', () => {
  for (const lang of ['en', 'de']) {
    test(`a server that refuses the sender is not saved; the failure shows once, with Save anyway (${lang})`, async () => {
      await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('refused'), lang });
      await fillPlain(page, refusingPort);
      await w('button[type=submit]').click();
      await w('#anyway').waitFor();

      expect(verifies()).toBe(1);
      expect(saves()).toBe(0);
      expect(await w('[part=test-result] [data-state=failed]').getAttribute('data-stage')).toBe('mail');
      expect(await w('[part=test-result] .reply').innerText()).toContain(REFUSAL);
      expect(await w('[part=test-result] .hint-text').count()).toBe(1);
      expect(await w('#anyway').innerText()).toBe(lang === 'de' ? 'Trotzdem speichern' : 'Save anyway');
      expect(await w('button[type=submit]').innerText()).toBe(lang === 'de' ? 'Speichern' : 'Save');
      expect(await axeViolations(page)).toEqual([]);

      // A changed field: the failure is about other values, and so is the offer.
      await w('#port').fill(String(refusingPort + 1));
      await w('[part=test-result]').waitFor({ state: 'detached' });
      expect(await w('#anyway').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
    });
  }

  test('Save anyway saves without verifying', async () => {
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('anyway'), lang: 'en' });
    await fillPlain(page, refusingPort);
    await w('button[type=submit]').click();
    await w('#anyway').click();
    await waitForStatus(page, /^Settings saved/);

    expect(verifies()).toBe(1);
    expect(saves()).toBe(1);
    expect(await w('#anyway').count()).toBe(0);
    expect(await w('#port').inputValue()).toBe(String(refusingPort));
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a rate-limited verify shows the countdown and offers Save anyway', async () => {
    await page.route('**/v1/mail-server/verify', (route) =>
      route.fulfill({
        status: 429,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-expose-headers': 'Retry-After',
          'retry-after': '30',
        },
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Too many attempts', status: 429, code: 'rate_limited' }),
      }),
    );
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('limited'), lang: 'en' });
    await fillPlain(page, stack.sink.smtpPort);
    await w('button[type=submit]').click();
    await w('#anyway').waitFor();
    await waitForStatus(page, /Please try again in \d+ seconds\./);
    expect(saves()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.unrouteAll();

    await w('#anyway').click();
    await waitForStatus(page, /^Settings saved/);
    expect(saves()).toBe(1);
  });

  test('a working server is saved after one verify; the button says it is checking meanwhile', async () => {
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('works'), lang: 'de' });
    await fillPlain(page, stack.sink.smtpPort);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/v1/mail-server/verify', async (route) => {
      await held;
      await route.fallback();
    });
    await w('button[type=submit]').click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('mail-server-settings')
          ?.shadowRoot?.querySelector('button[type=submit]')
          ?.textContent?.trim() === 'Wird geprüft …',
    );
    expect(await w('button[type=submit]').getAttribute('aria-disabled')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    release();
    await waitForStatus(page, /^Einstellungen gespeichert/);
    await page.unrouteAll();

    expect(verifies()).toBe(1);
    expect(saves()).toBe(1);
    expect(await w('[part=test-result]').count()).toBe(0);
    expect(await w('#anyway').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
