// The local mail sink's viewer shows received mails (with their links) to this machine only: no
// CORS header for other pages, and no answer under a DNS-rebound name.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../scripts/lib/mail-sink.ts';

function get(url: string, host: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host, origin: 'https://evil.example' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mail sink viewer', () => {
  let sink: MailSink;
  beforeAll(async () => {
    sink = await startMailSink();
  });
  afterAll(() => sink?.stop());

  it('answers loopback hosts without a CORS header', async () => {
    const { port } = new URL(sink.httpUrl);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `mail.localhost:${port}`]) {
      const res = await get(`${sink.httpUrl}/messages.json`, host);
      expect(res.status, host).toBe(200);
      expect(res.headers, host).not.toHaveProperty('access-control-allow-origin');
    }
  });

  it('refuses a rebound name', async () => {
    const { port } = new URL(sink.httpUrl);
    for (const host of [`evil.example:${port}`, 'evil.example', '127.0.0.1.nip.io'])
      expect((await get(`${sink.httpUrl}/messages.json`, host)).status, host).toBe(421);
  });
});
