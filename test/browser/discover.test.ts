// Settings found from an address and the sender domain's verdict, the widget's side, in headless
// Chromium against the real API stack, which asks the local DNS service of the global setup (the
// zones of test/fixtures/dns-zones.ts).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
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
  [stack, host, browser] = await Promise.all([
    startWidgetStack({ vars: { DNS_RESOLVER_URL: inject('dnsResolverUrl') } }),
    startHostServer(),
    launchBrowser(),
  ]);
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
const setLang = (lang: string) => page.evaluate((l) => (document.documentElement.lang = l), lang);

/** The verdict under the sender fields once it is there (its data-verdict set). */
async function senderVerdict(): Promise<{ verdict: string | null; text: string; codes: string[] }> {
  const panel = w('fieldset [part=domain-check][data-verdict]');
  await panel.waitFor();
  const codes = await panel.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code') ?? ''));
  return { verdict: await panel.getAttribute('data-verdict'), text: await panel.innerText(), codes };
}

describe('the sender domain', () => {
  test('after a save: the verdict with the DNS change to make, in English and, asked again, in German', async () => {
    await open(freshTenant('domain'));
    // Microsoft 365's submission server, and a sender whose SPF authorizes only 192.0.2.1.
    await w('#host').fill('smtp.office365.com');
    await w('#security').selectOption('starttls');
    await w('#username').fill('anna@spf-other.test');
    await w('#password').fill('pa55word');
    await w('#fromAddress').fill('rechnung@spf-other.test');
    await w('button.primary').click();

    const en = await senderVerdict();
    expect(en.verdict).toBe('problem');
    expect(en.codes).toContain('spf_not_authorizing');
    expect(en.text).toContain('spf-other.test: Recipients may reject your mail.');
    expect(en.text).toContain('include:spf.protection.outlook.com');
    expect(en.text).toContain('The SPF record of spf-other.test does not authorize');

    // The API's words in English go with a switch to German; "Domain prüfen" asks in German.
    await setLang('de');
    await w('fieldset [part=domain-check]:not([data-verdict])').waitFor({ state: 'attached' });
    await w('#check-domain').click();
    const de = await senderVerdict();
    expect(de.verdict).toBe('problem');
    expect(de.text).toContain('spf-other.test: Empfänger könnten Ihre E-Mails abweisen.');
    expect(de.text).toContain('Der SPF-Eintrag von spf-other.test erlaubt');
    expect(de.text).toContain('include:spf.protection.outlook.com');
  });

  test('on demand for the sender typed: a domain whose SPF includes the server is in order', async () => {
    await open(freshTenant('domain-ok'));
    await w('#host').fill('smtp.office365.com');
    await w('#security').selectOption('starttls');
    await w('#username').fill('anna@m365-firma.test');
    await w('#password').fill('pa55word');
    await w('#fromAddress').fill('rechnung@spf-missing.test');
    await w('button.primary').click();
    expect((await senderVerdict()).codes).toContain('spf_missing');

    await w('#fromAddress').fill('rechnung@m365-firma.test');
    await w('#check-domain').click();
    await w('fieldset [part=domain-check][data-verdict=ok]').waitFor();
    expect(await w('fieldset [part=domain-check]').innerText()).toContain(
      'm365-firma.test: SPF and DMARC are in order.',
    );
  });

  test('after a test send the verdict is in the test result, not under the sender fields', async () => {
    await open(freshTenant('domain-test'));
    await w('#host').fill('127.0.0.1');
    await w('#security').selectOption('none');
    await w('#port').fill(String(stack.sink.smtpPort));
    await w('#authMethod').selectOption('none');
    await w('#test').click();
    await w('.test-result [part=domain-check][data-verdict]').waitFor();
    expect(await w('fieldset [part=domain-check]').innerText()).toBe('');
  });
});
