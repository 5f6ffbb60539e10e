import { describe, expect, it } from 'vitest';
import { openSender } from '../../api/smtp/pool.ts';
import { FAST, fixtures, marker, receivedMails, settingsFor } from './smtp-helpers.ts';

describe('pooled sender (outbox): one SMTP session for many messages', () => {
  it('sends 10 messages over one connection with one login, then closes in bounded time', async () => {
    const id = marker();
    const sender = openSender(settingsFor('starttls'), {
      runtime: 'workers',
      timeouts: FAST,
      clientName: 'firma.example',
    });
    const results = [];
    for (let i = 0; i < 10; i++) {
      results.push(
        await sender.send({
          from: { address: 'rechnung@firma.example', name: 'Firma' },
          to: [`k${i}@example.com`],
          subject: `Pool ${id} ${i}`,
          text: `Nachricht ${i}`,
        }),
      );
    }
    const started = Date.now();
    await sender.close();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(results.every((r) => r.ok)).toBe(true);
    // one greeting + one AUTH across all messages
    const transcripts = results.flatMap((r) => r.transcript);
    expect(transcripts.filter((l) => l.dir === 'c' && l.line.startsWith('AUTH')).length).toBe(1);
    expect(transcripts.filter((l) => l.dir === 'c' && l.line.startsWith('MAIL FROM')).length).toBe(10);
    const mails = (await receivedMails()).filter((m) => m.parsed.subject?.startsWith(`Pool ${id}`));
    expect(mails).toHaveLength(10);
  });

  it('a rejected recipient fails that message only; the session goes on', async () => {
    const f = fixtures();
    const sender = openSender(settingsFor('rcptPerm'), {
      runtime: 'workers',
      timeouts: FAST,
      clientName: 'firma.example',
    });
    const a = await sender.send({
      from: { address: 'a@firma.example' },
      to: ['x@example.com'],
      subject: marker(),
      text: 'x',
    });
    const b = await sender.send({
      from: { address: 'a@firma.example' },
      to: ['y@example.com'],
      subject: marker(),
      text: 'y',
    });
    await sender.close();
    expect(a.ok || b.ok).toBe(false);
    if (!a.ok) expect(a.error).toMatchObject({ stage: 'rcpt', code: 'recipient_rejected', transient: false });
    if (!b.ok) expect(b.error).toMatchObject({ stage: 'rcpt', code: 'recipient_rejected' });
    void f;
  });

  it('connection failures are transient and reported per message', async () => {
    const sender = openSender(settingsFor('refused', { security: 'none', auth: { method: 'none' } }), {
      runtime: 'workers',
      timeouts: FAST,
      clientName: 'x.example',
    });
    const r = await sender.send({
      from: { address: 'a@firma.example' },
      to: ['x@example.com'],
      subject: marker(),
      text: 'x',
    });
    await sender.close();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ stage: 'connect', code: 'connection_refused', transient: true });
  });
});
