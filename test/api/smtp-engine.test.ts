import { describe, expect, it } from 'vitest';
import { sendMessage } from '../../api/smtp/send.ts';
import type { OutgoingMessage, SendResult } from '../../api/smtp/types.ts';
import { FAST, fixtures, leakForms, mailWith, marker, settingsFor, authAttempts } from './smtp-helpers.ts';

const ACE = new URL('http://müller-söhne.example').hostname;

const message = (subject: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  from: { address: 'rechnung@müller-söhne.example', name: 'Müller & Söhne GmbH' },
  replyTo: 'buchhaltung@example.com',
  to: ['kunde@example.com'],
  subject,
  text: 'Grüße aus Österreich – Ihre Rechnung liegt bei.',
  html: '<p>Grüße aus Österreich – Ihre Rechnung liegt bei.</p>',
  ...overrides,
});

const run = (settings: Parameters<typeof sendMessage>[0], subject = marker()) =>
  sendMessage(settings, message(subject), { runtime: 'workers', timeouts: FAST });

function expectNoSecret(result: SendResult) {
  const f = fixtures();
  const text = JSON.stringify(result);
  for (const form of leakForms(f.password, f.username)) expect(text).not.toContain(form);
}

describe('SMTP engine inside workerd: successful sends', () => {
  for (const method of ['plain', 'login', 'cram-md5'] as const) {
    it(`STARTTLS + AUTH ${method.toUpperCase()} with UTF-8 credentials`, async () => {
      const f = fixtures();
      const id = marker();
      const result = await run(
        settingsFor('starttls', { auth: { method, username: f.username, password: f.password } }),
        `Test ${id}`,
      );
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) return;
      expect(result.response).toMatch(/^250 2\.0\.0 Ok: queued as STARTTLS\d+/);
      const mail = await mailWith(id);
      expect(mail?.secure).toBe(true);
      expect(mail?.auth).toEqual({ method: method.toUpperCase(), username: f.username });
      expectNoSecret(result);
      expect(result.transcript.some((l) => l.dir === 'c' && l.line.startsWith(`AUTH ${method.toUpperCase()}`))).toBe(
        true,
      );
    });
  }

  it('implicit TLS (verified against the host name)', async () => {
    const id = marker();
    const result = await run(settingsFor('tls'), `Test ${id}`);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect((await mailWith(id))?.secure).toBe(true);
    expectNoSecret(result);
  });

  it('no encryption + AUTH PLAIN', async () => {
    const id = marker();
    const result = await run(settingsFor('plain', { security: 'none' }), `Test ${id}`);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect((await mailWith(id))?.secure).toBe(false);
    expectNoSecret(result);
  });

  it('the received message parses back: umlauts, From, Reply-To, envelope, Message-ID, Date, attachment', async () => {
    const id = marker();
    const pdf = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
    const result = await sendMessage(
      settingsFor('starttls'),
      message(`Rechnung Nr. 2026-0042 für Jürgen Größe ${id}`, {
        to: [{ address: 'kunde@example.com', name: 'Kunde Ärger' }],
        bcc: ['archiv@example.com'],
        attachments: [
          { filename: 'Rechnung-für-Jürgen-Größe-2026-0042.pdf', content: pdf, contentType: 'application/pdf' },
        ],
      }),
      { runtime: 'workers', timeouts: FAST },
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    const mail = await mailWith(id);
    expect(mail).toBeDefined();
    const p = mail!.parsed;
    expect(p.subject).toBe(`Rechnung Nr. 2026-0042 für Jürgen Größe ${id}`);
    // IDN domain: punycode on the wire (or UTF-8 with SMTPUTF8); mailparser may show either
    expect(p.from).toHaveLength(1);
    expect(p.from[0]!.name).toBe('Müller & Söhne GmbH');
    expect([`rechnung@${ACE}`, 'rechnung@müller-söhne.example']).toContain(p.from[0]!.address);
    expect(p.replyTo).toEqual([{ address: 'buchhaltung@example.com', name: '' }]);
    expect(p.to).toEqual([{ address: 'kunde@example.com', name: 'Kunde Ärger' }]);
    expect(p.text?.trim()).toBe('Grüße aus Österreich – Ihre Rechnung liegt bei.');
    expect(p.html).toContain('Grüße aus Österreich');
    expect([`rechnung@${ACE}`, 'rechnung@müller-söhne.example']).toContain(mail!.envelope.mailFrom);
    expect(mail!.envelope.rcptTo).toEqual(['kunde@example.com', 'archiv@example.com']);
    expect(mail!.raw).not.toMatch(/^bcc:/im);
    expect(p.messageId).toBe(result.messageId);
    expect(result.messageId).toMatch(new RegExp(`^<[0-9a-f]{32}@${ACE.replace(/\./g, '\\.')}>$`));
    expect(Date.now() - Date.parse(p.date!)).toBeLessThan(60_000);
    expect(mail!.raw).toMatch(/^Subject: =\?UTF-8\?/m);
    for (const line of mail!.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.filename).toBe('Rechnung-für-Jürgen-Größe-2026-0042.pdf');
    expect(p.attachments[0]!.content).toBe(Buffer.from(pdf).toString('base64'));
  });
});

describe('SMTP engine inside workerd: failures name their stage', () => {
  const cases: [
    string,
    () => ReturnType<typeof settingsFor>,
    { stage: string; code: string; responseCode?: number; transient: boolean },
  ][] = [
    [
      'wrong password',
      () =>
        settingsFor('starttls', {
          auth: { method: 'login', username: fixtures().username, password: 'falsch-Pässwort' },
        }),
      { stage: 'auth', code: 'auth_failed', responseCode: 535, transient: false },
    ],
    [
      'STARTTLS required but not offered',
      () => settingsFor('noStarttls', { security: 'starttls' }),
      { stage: 'tls', code: 'starttls_unavailable', transient: false },
    ],
    [
      'relay denied at MAIL FROM',
      () => settingsFor('relayDenied'),
      { stage: 'mail', code: 'relay_denied', responseCode: 550, transient: false },
    ],
    [
      'recipient 4xx',
      () => settingsFor('rcptTemp'),
      { stage: 'rcpt', code: 'recipient_temporary', responseCode: 450, transient: true },
    ],
    [
      'recipient 5xx',
      () => settingsFor('rcptPerm'),
      { stage: 'rcpt', code: 'recipient_rejected', responseCode: 550, transient: false },
    ],
    [
      'connection refused',
      () => settingsFor('refused', { security: 'none' }),
      { stage: 'connect', code: 'connection_refused', transient: true },
    ],
  ];
  for (const [name, settings, expected] of cases) {
    it(name, async () => {
      const result = await run(settings());
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject(expected);
      expectNoSecret(result);
    });
  }

  it('oversize message: 552 at DATA', async () => {
    const result = await sendMessage(settingsFor('oversize'), message(marker(), { text: 'x'.repeat(5_000) }), {
      runtime: 'workers',
      timeouts: FAST,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      stage: 'data',
      code: 'message_too_large',
      responseCode: 552,
      transient: false,
    });
  });

  it('STARTTLS not offered: no credentials are sent in clear', async () => {
    const before = (await authAttempts()).filter((a) => a.server === 'noStarttls').length;
    const result = await run(settingsFor('noStarttls', { security: 'starttls' }));
    expect(result.ok).toBe(false);
    expect(result.transcript.some((l) => l.dir === 'c' && /^AUTH/.test(l.line))).toBe(false);
    expect((await authAttempts()).filter((a) => a.server === 'noStarttls').length).toBe(before);
  });

  it('untrusted certificate over STARTTLS fails at stage tls, and the worker survives', async () => {
    const result = await run(settingsFor('untrusted'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.stage).toBe('tls');
    expect(result.error.transient).toBe(false);
    expect(result.transcript.some((l) => l.dir === 'c' && /^AUTH/.test(l.line))).toBe(false);
    // still serving: a good send right after
    const again = await run(settingsFor('starttls'));
    expect(again.ok).toBe(true);
  });

  it('untrusted certificate over implicit TLS fails at stage tls', async () => {
    const result = await run(settingsFor('untrustedTls'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.stage).toBe('tls');
  });
});

describe('SMTP engine inside workerd: misbehaving servers end in time', () => {
  const cases: [string, Parameters<typeof settingsFor>[0], { stage: string; code: string }][] = [
    ['never greets', 'silent', { stage: 'greeting', code: 'greeting_timeout' }],
    ['greets, then silence', 'greetThenSilent', { stage: 'ehlo', code: 'response_timeout' }],
    ['half a line', 'halfLine', { stage: 'greeting', code: 'greeting_timeout' }],
    ['drips bytes forever', 'drip', { stage: 'ehlo', code: 'total_timeout' }],
    ['closes the connection', 'closes', { stage: 'greeting', code: 'connection_closed' }],
    ['sends garbage', 'garbage', { stage: 'greeting', code: 'greeting_invalid' }],
    [
      'takes the message, then closes without a verdict',
      'closesAfterData',
      { stage: 'data', code: 'connection_closed' },
    ],
  ];
  for (const [name, fixture, expected] of cases) {
    it(name, async () => {
      const started = Date.now();
      const result = await run(settingsFor(fixture, { security: 'none', auth: { method: 'none' } }));
      const elapsed = Date.now() - started;
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject({ ...expected, transient: expected.code !== 'greeting_invalid' });
      // Only a server that got the whole message leaves open whether it took it.
      expect(result.error.deliveryUnknown ?? false).toBe(fixture === 'closesAfterData');
      expect(elapsed).toBeLessThan(FAST.totalMs + 500);
    });
  }

  it('keeps serving other sends while a server hangs', async () => {
    const hanging = run(settingsFor('silent', { security: 'none', auth: { method: 'none' } }));
    const good = await run(settingsFor('starttls'));
    expect(good.ok).toBe(true);
    expect((await hanging).ok).toBe(false);
  });
});
