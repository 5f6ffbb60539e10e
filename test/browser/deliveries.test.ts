// The delivery log in the widget (#19): tabs, "more", the actions, the banner with its event, the
// 360 px layout, axe-clean in each state. The API's answers are served with page.route.
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DeliveriesResponse, DeliverySummary } from '../../contract/index.ts';
import {
  axeViolations,
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  recordedEvents,
  startHostServer,
  startWidgetStack,
  type HostServer,
  type WidgetStack,
} from './support/harness.ts';

let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [stack, host, browser] = await Promise.all([startWidgetStack(), startHostServer(), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 360, height: 800 } });
  page.setDefaultTimeout(5_000);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop()]);
});

const w = (selector: string) => inWidget(page, selector);

const row = (i: number, kind: DeliverySummary['kind'], status: DeliverySummary['status']): DeliverySummary => ({
  id: `${kind}-${i}`,
  kind,
  status,
  route: 'tenant',
  recipients: ['buchhaltung.sehr.lange.adresse@kunde-mit-langem-namen.example.com'],
  subject: `Rechnung 2026-${String(i).padStart(3, '0')}`,
  attempts: 1,
  response: status === 'sent' ? '250 2.0.0 queued as 4F2A' : null,
  error:
    status === 'failed'
      ? {
          stage: 'rcpt',
          code: 'recipient_rejected',
          responseCode: 550,
          response: '550 no',
          message: 'Recipient refused.',
          hint: '',
        }
      : null,
  fallbackReason: null,
  nextAttemptAt: status === 'retrying' ? '2026-12-07T15:00:00Z' : null,
  createdAt: new Date(Date.UTC(2026, 11, 7, 12) - i * 60_000).toISOString(),
  sentAt: null,
});

const json = (route: Route, body: unknown, status = 200) =>
  route.fulfill({
    status,
    headers: { 'access-control-allow-origin': '*' },
    contentType: 'application/json',
    body: JSON.stringify(body),
  });

/** 25 business mails (the first retrying, the second failed, the rest sent) and 2 tests; records the calls. */
async function serve() {
  const calls: string[] = [];
  const business = Array.from({ length: 25 }, (_, i) =>
    row(i, 'invoice', i === 0 ? 'retrying' : i === 1 ? 'failed' : 'sent'),
  );
  const tests = [row(0, 'test', 'sent'), row(1, 'test', 'failed')];
  let problems = [business[1]!];
  await page.route('**/v1/deliveries**', (route) => {
    const req = route.request();
    const url = new URL(req.url());
    calls.push(`${req.method()} ${url.pathname}${url.search}`);
    if (req.method() === 'OPTIONS')
      return route.fulfill({
        status: 204,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': '*',
          'access-control-allow-methods': 'GET, POST',
        },
      });
    if (url.pathname.endsWith('/problems')) return json(route, { problems });
    if (url.pathname.endsWith('/acknowledge')) {
      problems = [];
      return json(route, { acknowledged: [business[1]!.id] });
    }
    if (req.method() === 'POST') return json(route, business[0], 202);
    const rows = url.searchParams.get('kind') === 'test' ? tests : business;
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const limit = Number(url.searchParams.get('limit'));
    const body: DeliveriesResponse = {
      deliveries: rows.slice(start, start + limit),
      nextCursor: start + limit < rows.length ? String(start + limit) : null,
      sendViaSystem: true,
    };
    return json(route, body);
  });
  return calls;
}

describe('delivery log', () => {
  test('tabs, more, actions, banner and event, 360 px columns, axe-clean at each state', async () => {
    const calls = await serve();
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('deliveries-log'), lang: 'en' });
    const rows = w('[part=deliveries] li');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(20);
    expect(await rows.first().innerText()).toContain('Next attempt');
    expect(await rows.nth(2).innerText()).toContain('250 2.0.0 queued as 4F2A');
    expect(await rows.first().innerText()).not.toContain('Invoice:');

    // The banner and its event.
    await w('[part=delivery-banner]').waitFor();
    expect(await w('[part=delivery-banner]').innerText()).toContain('One e-mail could not be sent.');
    const events = (await recordedEvents(page)).filter((e) => e.type === 'mail-server-delivery-problem');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ typed: true, bubbles: true, composed: true });
    expect(await axeViolations(page)).toEqual([]);

    // Columns line up at 360 px: every row's subject starts at the same x, nothing overflows.
    const boxes = await page.evaluate(() => {
      const root = document.querySelector('mail-server-settings')!.shadowRoot!;
      return [...root.querySelectorAll('[part=deliveries] li .what')].map((e) => e.getBoundingClientRect().left);
    });
    expect(new Set(boxes).size).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // Actions only on the retrying and the failed business mail.
    expect(await rows.nth(0).locator('.actions button').count()).toBe(2);
    expect(await rows.nth(1).locator('.actions button').count()).toBe(2);
    expect(await rows.nth(2).locator('.actions button').count()).toBe(0);
    await rows.nth(1).getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => calls.includes('POST /v1/deliveries/invoice-1/retry')).toBe(true);
    await rows.nth(0).getByRole('button', { name: 'Send via the system mail server' }).click();
    await expect.poll(() => calls.includes('POST /v1/deliveries/invoice-0/send-via-system')).toBe(true);

    // More: the next page under the first.
    await w('[part=deliveries] .more').click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(await w('[part=deliveries] .more').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // Acknowledged: the banner goes.
    await w('[part=delivery-banner] .acknowledge').click();
    await expect.poll(() => w('[part=delivery-banner]').count()).toBe(0);

    // The tests tab: tests only, no actions.
    await w('[role=tab]#tab-test').click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await w('[part=deliveries] .actions').count()).toBe(0);
    expect(await w('[role=tab]#tab-test').getAttribute('aria-selected')).toBe('true');
    expect(calls.some((c) => c.startsWith('GET /v1/deliveries?kind=test'))).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });
});
