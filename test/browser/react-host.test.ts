// The demo's React host page (demo/react.tsx) in headless Chromium, served by the API in
// development like the demo page: the wrapper renders the element and hands its events to React props.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildWidget } from '../../scripts/build-widget.ts';
import {
  freshTenant,
  inWidget,
  launchBrowser,
  passVerify,
  startWidgetStack,
  type WidgetStack,
} from './support/harness.ts';

let stack: WidgetStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await buildWidget();
  [stack, browser] = await Promise.all([startWidgetStack(), launchBrowser()]);
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Nobody runs mail.example.org.
  await passVerify(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the demo page links the React host, which renders the element and logs a save through onMailServerSaved', async () => {
  await page.goto(`${stack.apiUrl}/`);
  await page.getByRole('link', { name: 'The same in React' }).click();
  await page.waitForURL(/\/react/);
  await page.goto(`${page.url()}?${new URLSearchParams({ tenant: freshTenant('react-host'), lang: 'de' })}`);
  await inWidget(page, 'form').waitFor();
  // The lang prop reaches the element: its texts are German.
  expect(await inWidget(page, 'button[type=submit]').innerText()).toBe('Speichern');

  await inWidget(page, '#host').fill('mail.example.org');
  await inWidget(page, '#security').selectOption('starttls');
  await inWidget(page, '#authMethod').selectOption('login');
  await inWidget(page, '#username').fill('rechnung@example.org');
  await inWidget(page, '#password').fill('pa55word');
  await inWidget(page, 'button[type=submit]').click();

  // Only the React props write the log, so a save shown there came through onMailServerSaved.
  await page.locator('#log', { hasText: 'mail-server-saved' }).waitFor();
  const logged = await page.locator('#log').innerText();
  expect(logged).toMatch(/"host": "mail\.example\.org"/);
  expect(logged).not.toContain('pa55word');
  expect(pageErrors).toEqual([]);
});
