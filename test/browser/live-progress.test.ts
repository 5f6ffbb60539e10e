// The widget's live progress and Cancel (#19) in headless Chromium against the real API stack: a
// server that greets and answers EHLO, then never answers MAIL FROM, shows the passed stages, the
// stalled one running, the seconds counting up and Cancel; a working server's stages all pass.
import { createServer, type Server, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
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

/** A server that stalls after EHLO; each connection's close is awaited with `closed`. */
interface StallingServer {
  port: number;
  /** The connections so far, each with the moment (performance.now()) it closed. */
  connections: { closed: Promise<number> }[];
  stop(): Promise<void>;
}

async function startStallingServer(): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  const connections: StallingServer['connections'] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    connections.push({
      closed: new Promise((resolve) =>
        socket.on('close', () => {
          sockets.delete(socket);
          resolve(performance.now());
        }),
      ),
    });
    socket.write('220 stalls.fixture.test ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        // Everything after EHLO (MAIL FROM, also RSET and QUIT) goes unanswered.
        if (line.startsWith('EHLO')) socket.write('250-stalls.fixture.test\r\n250 8BITMIME\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let stack: WidgetStack;
let host: HostServer;
let browser: Browser;
let page: Page;
let stalling: StallingServer;
/** The widget's requests to the API, as "METHOD path". */
let calls: string[];

beforeAll(async () => {
  [stack, host, browser, stalling] = await Promise.all([
    startWidgetStack(),
    startHostServer(),
    launchBrowser(),
    startStallingServer(),
  ]);
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  calls = recordApiCalls(page, stack.apiUrl);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), host?.stop(), stalling?.stop()]);
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

const TEXTS = {
  en: {
    running: 'running, no answer yet',
    elapsed: /^Running for \d+ s$/,
    cancel: 'Cancel',
    cancelled: 'The test was cancelled.',
  },
  de: {
    running: 'läuft, noch keine Antwort',
    elapsed: /^Läuft seit \d+ s$/,
    cancel: 'Abbrechen',
    cancelled: 'Der Test wurde abgebrochen.',
  },
} as const;

describe('a test against a server that stalls', () => {
  for (const lang of ['en', 'de'] as const) {
    test(`shows the stages ticking, the seconds counting up and Cancel, which ends it (${lang})`, async () => {
      const texts = TEXTS[lang];
      await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('stalls'), lang });
      await fillPlain(page, stalling.port);
      await w('#test').click();
      await waitForStall();

      expect(await stageStates()).toEqual([
        ['connect', 'passed'],
        ['greeting', 'passed'],
        ['ehlo', 'passed'],
        ['mail', 'started'],
      ]);
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

      await cancel.click();
      expect(await waitForStatus(page, new RegExp(texts.cancelled))).toContain(texts.cancelled);
      await w('#cancel-check').waitFor({ state: 'detached' });
      expect(await w('.stages [data-state=started]').count()).toBe(0);
      expect(await w('[aria-busy=true]').count()).toBe(0);
      expect(await w('#test').getAttribute('aria-disabled')).toBe('false');
      expect(await focusedId(page)).toBe('test');
      expect(await axeViolations(page)).toEqual([]);
    });
  }

  test('a cancelled verify saves nothing and says so; the form is usable again', async () => {
    await openWidget(page, host.url, { api: stack.apiUrl, tenant: freshTenant('stalls-save'), lang: 'en' });
    await fillPlain(page, stalling.port);
    await w('button[type=submit]').click();
    await waitForStall();
    await w('#cancel-check').click();
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
  await waitForStatus(page, /Test mail sent to your own address in \d+ ms\./);
  expect(await axeViolations(page)).toEqual([]);
});
