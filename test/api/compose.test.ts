import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../api/smtp/compose.ts';
import { buildMailData } from '../../api/smtp/mail-data.ts';
import type { OutgoingMessage } from '../../api/smtp/types.ts';

const pdf = new Uint8Array(30_000).map((_, i) => (i * 7919) % 256);

const base: OutgoingMessage = {
  from: { address: 'rechnung@müller-söhne.example', name: 'Müller & Söhne GmbH' },
  replyTo: { address: 'buchhaltung@example.com', name: 'Buchhaltung' },
  to: ['kunde@example.com', { address: 'jürgen@example.com', name: 'Jürgen Groß' }],
  cc: ['cc@example.com'],
  bcc: ['verborgen@example.com'],
  subject: 'Rechnung Nr. 2026-0042 – Grüße aus Österreich',
  messageId: '<0123456789abcdef@xn--mller-shne-1hb4r.example>',
  date: new Date('2026-11-27T08:00:00Z'),
};

const cases: [string, Partial<OutgoingMessage>][] = [
  ['ASCII text only', { subject: 'Invoice', text: 'Please find your invoice attached.' }],
  [
    'text with umlauts (quoted-printable)',
    { text: 'Grüße aus Österreich – Ihre Rechnung liegt bei.\nMit freundlichen Grüßen' },
  ],
  ['mostly non-ASCII text (base64)', { text: 'Пожалуйста, найдите счёт во вложении. Спасибо!' }],
  [
    'long ASCII lines, trailing spaces, bare LF and a leading dot',
    { text: `${'x'.repeat(200)} \n.dot line\r\nend  \n\n` },
  ],
  ['text and HTML (alternative)', { text: 'Grüße', html: '<p>Grüße <b>fett</b></p>\n<p>zweite Zeile</p>' }],
  ['HTML only', { html: `<p>${'Lange Zeile mit Umlauten äöü '.repeat(20)}</p>` }],
  [
    'text, HTML and attachments (mixed)',
    {
      text: 'Anbei Ihre Rechnung.',
      html: '<p>Anbei Ihre Rechnung.</p>',
      attachments: [
        { filename: 'Rechnung-2026-0042.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'Übersicht März.csv', contentType: 'text/csv', content: new TextEncoder().encode('a;b\nä;ö\n') },
        { filename: 'leer.txt', contentType: 'text/plain', content: new Uint8Array(0) },
      ],
    },
  ],
  [
    'attachment without text',
    { attachments: [{ filename: 'r.pdf', contentType: 'application/pdf', content: pdf.slice(0, 1000) }] },
  ],
  ['custom headers', { text: 'x', headers: { 'X-Rechnung': 'Nr. 42 – März' } }],
  [
    'empty text and an empty attachment',
    { text: '', attachments: [{ filename: 'leer.txt', contentType: 'text/plain', content: new Uint8Array(0) }] },
  ],
  // Nodemailer wraps quoted-printable of more than 64 KiB slice by slice: such a part is built by Nodemailer itself.
  [
    'quoted-printable text over 64 KiB',
    { text: 'Grüße aus Österreich, Zeile für Zeile.\n'.repeat(2_000), html: `<p>${'Größe '.repeat(20_000)}</p>` },
  ],
];

describe('composeMessage: the same bytes as Nodemailer builds, without its stream chain', () => {
  for (const [name, overrides] of cases) {
    it(name, async () => {
      const data = buildMailData({ ...base, ...overrides });
      // The same tree rendered both ways: boundaries come from the compiled tree's random base.
      const expected = await new MailComposer(data as never).compile().build();
      const ours = await composeMessage({ ...data, baseBoundary: boundaryOf(expected) });
      expect(ours.toString('latin1')).toBe(expected.toString('latin1'));
    });
  }

  it('keeps Bcc out of the headers and ends with a line break', async () => {
    const raw = (await composeMessage(buildMailData({ ...base, text: 'x' }))).toString();
    expect(raw).not.toMatch(/^bcc:/im);
    expect(raw).toMatch(/^Message-ID: <0123456789abcdef@xn--mller-shne-1hb4r\.example>\r$/m);
    expect(raw.endsWith('\r\n')).toBe(true);
  });
});

/** The random part of the first multipart boundary, so a second compile draws the same boundaries. */
function boundaryOf(message: Buffer): string | undefined {
  return /boundary="--_NmP-([0-9a-f]+)-Part_/.exec(message.toString('latin1'))?.[1];
}
