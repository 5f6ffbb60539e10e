import { describe, expect, it } from 'vitest';
import type { MailServerResponse } from '../../contract/index.ts';
import { clientFor, validSettings } from './helpers.ts';

describe('settings round trips', () => {
  it('starts unconfigured on the system relay', async () => {
    const api = await clientFor();
    const res = await api.get('/v1/mail-server');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    const body = (await res.json()) as MailServerResponse;
    expect(body).toEqual({
      configured: false,
      settings: null,
      version: 0,
      updatedAt: null,
      effective: {
        route: 'system',
        from: { address: 'system@relay.example', name: api.tenant.name },
        replyTo: api.tenant.email,
      },
      capabilities: {
        runtime: 'workers',
        allowUntrustedCertificate: false,
        blockedPorts: [25],
        oauthProviders: ['microsoft', 'google'],
      },
      warnings: [],
      oauthConnections: [],
      lastCheck: null,
    });
  });

  it('accepts host names in any letter case, IDN names, IP literals and localhost (private hosts allowed in tests)', async () => {
    const api = await clientFor();
    for (const host of [
      'SMTP.Example.COM',
      'mail.münchen.example',
      'xn--mnchen-3ya.example',
      'smtp。example。com',
      '192.0.2.10',
      '2001:db8::25',
      '[2001:db8::25]',
      'localhost',
      'LocalHost',
    ]) {
      const res = await api.put('/v1/mail-server', { ...validSettings, host });
      expect(res.status, `${host}: ${await res.clone().text()}`).toBe(200);
      expect(((await res.json()) as MailServerResponse).settings?.host).toBe(host);
    }
  });

  it('saves, reads, updates and resets', async () => {
    const api = await clientFor();
    const put = await api.put('/v1/mail-server', validSettings);
    expect(put.status).toBe(200);
    const saved = (await put.json()) as MailServerResponse;
    expect(saved.configured).toBe(true);
    expect(saved.settings).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      allowUntrustedCertificate: false,
      auth: { method: 'plain', username: 'rechnung@example.com', passwordSet: true },
      from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
      replyTo: 'buchhaltung@example.com',
      fallbackToSystem: true,
      trustedCertificateSha256: null,
    });
    expect(saved.effective).toEqual({
      route: 'tenant',
      from: { address: 'rechnung@example.com', name: 'Müller & Söhne GmbH' },
      replyTo: 'buchhaltung@example.com',
    });
    expect(put.headers.get('etag')).toBe(`"${saved.version}"`);
    expect(JSON.stringify(saved)).not.toContain('Pässwort');

    const read = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(read).toEqual(saved);

    const updated = await api.put('/v1/mail-server', {
      ...validSettings,
      host: 'mail.example.org',
      security: 'tls',
      from: null,
      replyTo: null,
    });
    const after = (await updated.json()) as MailServerResponse;
    expect(after.settings?.host).toBe('mail.example.org');
    expect(after.settings?.port).toBe(465);
    expect(after.version).toBeGreaterThan(saved.version);
    expect(after.effective).toEqual({
      route: 'tenant',
      from: { address: api.tenant.email, name: api.tenant.name },
      replyTo: api.tenant.email,
    });

    const del = await api.delete('/v1/mail-server');
    expect(del.status).toBe(204);
    const reset = (await (await api.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(reset.configured).toBe(false);
    expect(reset.effective.route).toBe('system');
  });
});
