// A server that answers 250 instead of 354 to DATA has not opened a message: whatever it says to the
// text that follows is no verdict on it, so the send is a protocol error at stage data, not a success.
import { describe, expect, it } from 'vitest';
import { sendMessage } from '../../api/smtp/send.ts';
import { FAST, marker, settingsFor } from './smtp-helpers.ts';
import { postMessage, settled, tenantWithServer } from './outbox-helpers.ts';

describe('DATA answered with 250', () => {
  it('is a protocol error at stage data, with the reply in the transcript', async () => {
    const result = await sendMessage(
      settingsFor('data250', { security: 'none', auth: { method: 'none' } }),
      {
        from: { address: 'rechnung@example.com', name: 'Rechnung' },
        replyTo: null,
        to: ['kunde@example.com'],
        subject: marker(),
        text: 'Ihre Rechnung',
      },
      { runtime: 'workers', timeouts: FAST },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ stage: 'data', code: 'protocol_error', transient: false });
    expect(result.transcript).toContainEqual({ dir: 's', line: '250 ok' });
  });
});

describe('an invoice whose DATA was answered with 250', () => {
  it('fails on the tenant route and never also goes through the relay: the server may have taken the text', async () => {
    const { tenant } = await tenantWithServer('data250', {
      security: 'none',
      auth: { method: 'none' },
      fallbackToSystem: true,
    });
    const body = { kind: 'invoice', to: ['kunde@kunde.example.com'], subject: marker(), text: 'Anbei.' };
    const { id } = (await (await postMessage(tenant.id, body)).json()) as { id: string };
    expect(await settled(tenant.id, id)).toMatchObject({
      status: 'failed',
      route: 'tenant',
      error: { stage: 'data', code: 'protocol_error' },
    });
  });
});
