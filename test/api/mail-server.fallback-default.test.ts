// New configurations start with the system-relay fallback on (DESIGN §6); an explicit false stays false.
import { describe, expect, it } from 'vitest';
import type { MailServerResponse } from '../../contract/index.ts';
import { clientFor, validSettings } from './helpers.ts';

describe('fallbackToSystem default', () => {
  it('is on for a configuration saved without it, off when the tenant says so', async () => {
    const { fallbackToSystem: _, ...withoutFallback } = validSettings;
    const api = await clientFor();
    const put = await api.put('/v1/mail-server', withoutFallback);
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await (await api.get('/v1/mail-server')).json()) as MailServerResponse).settings?.fallbackToSystem).toBe(
      true,
    );

    const other = await clientFor();
    expect((await other.put('/v1/mail-server', { ...withoutFallback, fallbackToSystem: false })).status).toBe(200);
    expect(((await (await other.get('/v1/mail-server')).json()) as MailServerResponse).settings?.fallbackToSystem).toBe(
      false,
    );

    // A later save that does not mention it keeps the tenant's choice; one that does changes it.
    expect(
      (
        await other.put('/v1/mail-server', {
          ...withoutFallback,
          from: { address: 'rechnung@example.com', name: 'Neu' },
        })
      ).status,
    ).toBe(200);
    const kept = (await (await other.get('/v1/mail-server')).json()) as MailServerResponse;
    expect(kept.settings?.fallbackToSystem).toBe(false);
    expect((await other.put('/v1/mail-server', { ...withoutFallback, fallbackToSystem: true })).status).toBe(200);
    expect(((await (await other.get('/v1/mail-server')).json()) as MailServerResponse).settings?.fallbackToSystem).toBe(
      true,
    );
  });
});
