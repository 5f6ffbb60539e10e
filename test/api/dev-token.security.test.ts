// Development only: /dev/token mints tenant tokens for pages on this machine. A web page that rebinds
// its own name to 127.0.0.1 reaches the port under that name, so the Host decides, not the address.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const mint = (origin: string) =>
  exports.default.fetch(new Request(`${origin}/dev/token?tenant=x&email=a@b.example.com`));

describe('/dev/token answers loopback hosts only', () => {
  it('mints for localhost, its subdomains, 127.0.0.0/8 and [::1], with any port', async () => {
    for (const origin of [
      'http://localhost',
      'http://localhost:8787',
      'http://demo.localhost:5173',
      'http://127.0.0.1:9',
      'http://127.1.2.3',
      'http://[::1]:3000',
    ]) {
      const res = await mint(origin);
      expect(res.status, origin).toBe(200);
      expect(await res.json(), origin).toHaveProperty('token');
    }
  });

  it('refuses a rebound name with a 403 problem and no token', async () => {
    for (const origin of [
      'http://evil.example',
      'http://evil.example:8787',
      'http://localhost.evil.example',
      'http://127.0.0.1.nip.io',
      'http://10.0.0.1',
      'http://[::2]',
    ]) {
      const res = await mint(origin);
      expect(res.status, origin).toBe(403);
      const body = (await res.json()) as { code: string; token?: string };
      expect(body.code, origin).toBe('loopback_host_required');
      expect(body, origin).not.toHaveProperty('token');
    }
  });
});
