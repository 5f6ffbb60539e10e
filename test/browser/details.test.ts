// The widget's details (#19): the language tables come as chunks, loaded for the language shown.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  startHostServer,
  startWidgetStack,
  type HostServer,
  type WidgetStack,
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

describe('language tables', () => {
  test("a page loads only its language's table; the other one on a switch, then shown", async () => {
    const chunks: string[] = [];
    page.on('request', (request) => {
      const name = /mail-server-settings\.chunk-(\w+)-/.exec(request.url())?.[1];
      if (name) chunks.push(name);
    });
    await open(freshTenant('chunks'), 'de');
    await expect.poll(() => w('h2').first().innerText()).toBe('Ausgehender Mailserver');
    expect(chunks).toEqual(['de']);

    await page.evaluate(() => (document.documentElement.lang = 'en'));
    await expect.poll(() => w('h2').first().innerText()).toBe('Outgoing mail server');
    expect(chunks).toEqual(['de', 'en']);
    expect(await w('.root').getAttribute('lang')).toBe('en');
  });
});
