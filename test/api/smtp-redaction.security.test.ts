// A server that says the password back, transformed (upper-cased, hex, split across reply lines) or
// short, must not get it into a send's result: the response stored as smtp_response, error texts,
// the transcript.
import { describe, expect, it } from 'vitest';
import { sendMessage } from '../../api/smtp/send.ts';
import { SessionRecorder } from '../../api/smtp/transcript.ts';
import { FAST, fixtures, marker, settingsFor } from './smtp-helpers.ts';

const forms = (password: string) => [
  password,
  password.toUpperCase(),
  Buffer.from(password, 'utf8').toString('hex'),
  Buffer.from(password, 'utf8').toString('base64'),
];

async function sendWith(password: string) {
  const f = fixtures();
  return sendMessage(
    settingsFor('echoesSecretForms', { security: 'none', auth: { method: 'plain', username: f.username, password } }),
    {
      from: { address: 'rechnung@example.com', name: 'R' },
      replyTo: null,
      to: ['kunde@example.com'],
      subject: marker(),
      text: 'x',
    },
    { runtime: 'workers', timeouts: FAST },
  );
}

describe('echoed secrets are redacted', () => {
  for (const password of ['Grüße-Pässwort-1', 'k9', 'x']) {
    it(`password ${JSON.stringify(password)}: upper-cased, hex, split and as a word`, async () => {
      const result = await sendWith(password);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) return;
      const replyText = (lines: string[]) => lines.map((l) => l.replace(/^\d{3}[ -]/, '')).join('');
      const serverLines = result.transcript.filter((l) => l.dir === 's').map((l) => l.line);
      for (const text of [replyText(result.response.split('\n')), replyText(serverLines)])
        for (const form of forms(password))
          expect(text, form).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}])${form}`, 'iu'));
      expect(result.response).toContain('word *** end');
      // Split in two halves (a one-character password has no second half).
      if (password.length > 1) expect(result.response).toMatch(/split \*\*\*\n250 \*\*\* word/);
    });
  }

  it('a short secret inside a word is left alone, so replies stay readable', () => {
    const r = new SessionRecorder(['ab']);
    expect(r.redact('250 about ab, Ab; xab')).toBe('250 about ***, ***; xab');
  });
});
