// Settings found from an address and the sender domain's verdict, the widget's side, in headless
// Chromium against the real API stack, which asks the local DNS service of the global setup (the
// zones of test/fixtures/dns-zones.ts).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { freePort } from '../../scripts/lib/ports.ts';
import {
  fillPlain,
  freshTenant,
  inWidget,
  launchBrowser,
  openWidget,
  passVerify,
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
  // Signing in with Microsoft is offered (a client registered, PUBLIC_URL naming the API's port);
  // nobody signs in here, so no authorization server is needed.
  const port = await freePort();
  const vars = {
    DNS_RESOLVER_URL: inject('dnsResolverUrl'),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OAUTH_MICROSOFT_CLIENT_ID: 'widget-discover-test',
    OAUTH_MICROSOFT_CLIENT_SECRET: 'widget-discover-test-secret',
  };
  [stack, host, browser] = await Promise.all([startWidgetStack({ port, vars }), startHostServer(), launchBrowser()]);
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
  await passVerify(page);
});

const w = (selector: string) => inWidget(page, selector);
const open = (tenant: string, lang = 'en') => openWidget(page, host.url, { api: stack.apiUrl, tenant, lang });
const setLang = (lang: string) => page.evaluate((l) => (document.documentElement.lang = l), lang);

/** Types the address, asks for its settings and answers the line that says how it went. */
async function findSettings(address: string): Promise<string> {
  await w('#address').fill(address);
  await w('#discover').click();
  const line = w('.discover [aria-live]');
  await page.waitForFunction(() => {
    const found = document.querySelector('mail-server-settings')?.shadowRoot?.querySelector('.discover [aria-live]');
    return !!found?.textContent?.trim() && !/Checking|Wird geprüft/.test(found.textContent);
  });
  return (await line.innerText()).trim();
}

const values = () =>
  page.evaluate(() => {
    const root = document.querySelector('mail-server-settings')!.shadowRoot!;
    const value = (id: string) => root.querySelector<HTMLInputElement>(`#${id}`)?.value;
    return {
      host: value('host'),
      port: value('port'),
      security: value('security'),
      auth: value('authMethod'),
      username: value('username'),
    };
  });

describe('finding the settings from an address', () => {
  test("a custom domain on Microsoft 365 (MX): its server with Microsoft's sign-in chosen, said to be guessed", async () => {
    await open(freshTenant('discover-m365'));
    expect(await findSettings('rechnung@m365-firma.test')).toBe(
      'Microsoft 365: Guessed from the MX record — please check.',
    );
    expect(await values()).toEqual({
      host: 'smtp.office365.com',
      port: '587',
      security: 'starttls',
      auth: 'microsoft',
      username: 'rechnung@m365-firma.test',
    });
    // One button left before the test: signing in. Every field stays editable.
    await expect(w('#oauth-sign-in').innerText()).resolves.toContain('Sign in with Microsoft');
    await w('#host').fill('smtp.firma.test');
    expect((await values()).host).toBe('smtp.firma.test');
    // The status below the form keeps what it said before (nothing); the lookup says it at its button.
    expect((await w('[part=status]').innerText()).trim()).toBe('');
  });

  test("in German: a domain in Thunderbird's provider list, one with SRV records only, and one with nothing", async () => {
    await open(freshTenant('discover-de'), 'de');
    expect(await findSettings('anna@posteo.de')).toBe('Posteo: Aus der Anbieterliste von Thunderbird übernommen.');
    expect(await values()).toEqual({
      host: 'posteo.de',
      port: '465',
      security: 'tls',
      auth: 'plain',
      username: 'anna@posteo.de',
    });

    expect(await findSettings('anna@srv-only.test')).toBe('Aus den DNS-Einträgen Ihrer Domain (SRV) übernommen.');
    expect((await values()).host).toBe('mail.srv-only.test');

    expect(await findSettings('anna@nothing.test')).toBe('Für diese Adresse wurden keine Einstellungen gefunden.');
    // Nothing found changes nothing.
    expect((await values()).host).toBe('mail.srv-only.test');
  });

  test('English source texts; Enter in the address asks too', async () => {
    await open(freshTenant('discover-en'));
    await w('#address').fill('anna@posteo.de');
    await w('#address').press('Enter');
    await w('.discover [aria-live]:has-text("provider list")').waitFor();
    expect((await w('.discover [aria-live]').innerText()).trim()).toBe(
      "Posteo: Filled in from Thunderbird's provider list.",
    );
  });

  test('not an address: the API says so once, at the field, in the language shown', async () => {
    await open(freshTenant('discover-bad'), 'de');
    const said = await findSettings('keine-adresse');
    expect(await w('.discover [aria-live]').getAttribute('class')).toBe('error');
    expect(said).toMatch(/E-Mail-Adresse/);
    expect((await w('[part=status]').innerText()).trim()).toBe('');
    expect((await values()).host).toBe('');
  });

  test('no answer at all: said once, at the field', async () => {
    await open(freshTenant('discover-offline'));
    await page.route('**/v1/mail-server/discover?**', (route) => route.abort());
    expect(await findSettings('anna@posteo.de')).toBe(
      'The service could not be reached. Please check your internet connection and try again.',
    );
    expect((await w('[part=status]').innerText()).trim()).toBe('');
  });

  test("the address starts as the tenant's own", async () => {
    await open(freshTenant('discover-start'));
    const own = (await w('.route dd').nth(1).innerText()).trim();
    expect(own).toContain('@');
    expect(await w('#address').inputValue()).toBe(own);
  });
});

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
    expect(en.text).toContain('spf-other.test: Recipients may reject your e-mails.');
    expect(en.text).toContain('include:spf.protection.outlook.com');
    expect(en.text).toContain('The SPF record of spf-other.test does not allow');

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
    await fillPlain(page, stack.sink.smtpPort);
    await w('#test').click();
    await w('.test-result [part=domain-check][data-verdict]').waitFor();
    expect(await w('fieldset [part=domain-check]').innerText()).toBe('');
  });
});
