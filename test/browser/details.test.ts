// The widget's details (#19) in headless Chromium against the real API stack: dates no reader can
// misread, the rate limit's countdown, the reset's confirmation in view, the language tables as
// chunks loaded for the language shown. Answers the stack cannot give on demand come from page.route.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DeliveriesResponse } from '../../contract/index.ts';
import {
  axeViolations,
  fillPlain,
  focusedId,
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  startHostServer,
  startWidgetStack,
  type HostServer,
  type WidgetStack,
  waitForStatus,
} from './support/harness.ts';

let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [stack, host, browser] = await Promise.all([startWidgetStack(), startHostServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop()]);
});

beforeEach(async () => {
  await context?.close();
  context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
});

const w = (selector: string) => inWidget(page, selector);
const open = (tenant: string, lang = 'en') => openWidget(page, host.url, { api: stack.apiUrl, tenant, lang });
const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Retry-After' };

/** Fills a valid configuration that points at the mail sink (plain SMTP, no auth). */
const fillSinkSettings = () => fillPlain(page, stack.sink.smtpPort);

describe('dates', () => {
  const deliveries: DeliveriesResponse = {
    nextCursor: null,
    sendViaSystem: false,
    deliveries: [
      {
        id: 'd1',
        kind: 'invoice',
        status: 'sent',
        route: 'tenant',
        recipients: ['customer@example.net'],
        subject: 'Invoice 2026-001',
        attempts: 1,
        response: '250 ok',
        error: null,
        fallbackReason: null,
        nextAttemptAt: null,
        createdAt: '2026-12-07T14:05:00Z',
        sentAt: '2026-12-07T14:05:01Z',
      },
    ],
  };

  for (const [lang, expected] of [
    ['en', '7 Dec 2026, 14:05'], // English without a region: the day first, the month as a word
    ['de', '7. Dez. 2026, 14:05'],
    ['en-US', 'Dec 7, 2026, 14:05'], // a region named: its order, still with the month as a word
  ] as const) {
    test(`in "${lang}" with the month as a word and 24-hour time`, async () => {
      await context.close();
      context = await browser.newContext({ timezoneId: 'UTC' });
      page = await context.newPage();
      await page.route('**/v1/deliveries*', (route) =>
        route.fulfill({
          status: 200,
          headers: cors,
          contentType: 'application/json',
          body: JSON.stringify(deliveries),
        }),
      );
      await open(freshTenant('dates'), lang);
      await expect.poll(() => w('[part=deliveries] .when').innerText()).toBe(expected);
      expect(await axeViolations(page)).toEqual([]);
    });
  }
});

describe('rate limit', () => {
  test('the time to wait counts down, then says a test is possible again', async () => {
    await page.route('**/v1/mail-server/test', (route) =>
      route.fulfill({
        status: 429,
        headers: { ...cors, 'retry-after': '3' },
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Too many attempts', status: 429, code: 'rate_limited' }),
      }),
    );
    await open(freshTenant('countdown'));
    await fillSinkSettings();
    await w('#test').click();
    // Each second's text in turn (Retry-After: 3), waited for as it comes.
    await waitForStatus(page, /Too many tests\. Please try again in [23] seconds\./);
    expect(await axeViolations(page)).toEqual([]);
    expect(await waitForStatus(page, /in 1 second\./)).toBe('Too many tests. Please try again in 1 second.');
    expect(await waitForStatus(page, /again now/)).toBe('You can test again now.');
  });
});

describe('reset', () => {
  test('the confirmation is scrolled into view and has the focus', async () => {
    await page.setViewportSize({ width: 360, height: 640 });
    await open(freshTenant('reset-view'));
    await fillSinkSettings();
    await w('button[type=submit]').click();
    await waitForStatus(page, /Settings saved/);
    await w('#reset').click();
    await w('[role=group] button').filter({ hasText: 'Reset now' }).click();
    await waitForStatus(page, /Settings removed/);
    await expect.poll(() => focusedId(page)).toBe('status');
    const inView = await w('#status p').evaluate((p) => {
      const box = p.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
    expect(inView).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('one error, once; results that no longer apply go', () => {
  const failure = {
    ok: false,
    error: {
      stage: 'auth',
      code: 'auth_failed',
      responseCode: 535,
      response: '5.7.8 Authentication credentials invalid',
      message: 'The server rejected the user name or password.',
      hint: 'Please check the user name and password.',
    },
    durationMs: 42,
    transcript: [],
    warnings: [],
  };

  test('a failed test says its error once, with its hint; a changed field takes the result away', async () => {
    await page.route('**/v1/mail-server/test', (route) =>
      route.fulfill({ status: 200, headers: cors, contentType: 'application/json', body: JSON.stringify(failure) }),
    );
    await open(freshTenant('error-once'));
    await fillSinkSettings();
    await w('#test').click();
    await waitForStatus(page, /The test failed/);
    const whole = await w('.root').innerText();
    expect(whole.split(failure.error.message)).toHaveLength(2); // exactly one occurrence
    expect(await w('[part=test-result]').innerText()).toContain(failure.error.hint);
    expect(await axeViolations(page)).toEqual([]);

    await w('#host').fill('smtp.firma.example');
    await expect.poll(() => w('[part=test-result]').count()).toBe(0);
    expect(await w('#status').innerText()).toBe('');
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('360 px wide', () => {
  test('addresses break between their parts, never inside a word', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await open(freshTenant('narrow'));
    await fillSinkSettings();
    await w('#fromName').fill('Buchhaltung der Beispielfirma');
    await w('#fromAddress').fill('rechnungsabteilung@beispielfirma-gmbh.example');
    await w('button[type=submit]').click();
    await waitForStatus(page, /Settings saved/);
    // Every word of the sender line sits on one line (a word split over two has two boxes); the
    // address may wrap after @, before a dot or after a hyphen.
    const split = await w('.route dd')
      .first()
      .evaluate((dd) => {
        const words: string[] = [];
        const texts = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
        for (let text = texts.nextNode() as Text | null; text; text = texts.nextNode() as Text | null) {
          for (const match of text.data.matchAll(/[^\s<>@.-]+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            if (range.getClientRects().length > 1) words.push(match[0]);
          }
        }
        return words;
      });
    expect(split).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('language tables', () => {
  test("a page loads only its language's table; the other one on a switch, then shown", async () => {
    const chunks: string[] = [];
    page.on('request', (request) => {
      const name = /mail-server-settings\.chunk-(\w+)-/.exec(request.url())?.[1];
      if (name) chunks.push(name);
    });
    await open(freshTenant('chunks'), 'de');
    await expect.poll(() => w('h2').first().innerText()).toBe('Postausgangsserver');
    expect(chunks).toEqual(['de']);

    await page.evaluate(() => (document.documentElement.lang = 'en'));
    await expect.poll(() => w('h2').first().innerText()).toBe('Outgoing mail server');
    expect(chunks).toEqual(['de', 'en']);
    expect(await w('.root').getAttribute('lang')).toBe('en');
  });
});
