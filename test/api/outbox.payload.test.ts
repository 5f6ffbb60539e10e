// Stored payloads: large and non-ASCII bodies go into the database in chunks and come back whole.
// libSQL refuses half a UTF-16 surrogate pair, and answers at most 10 MB per response.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDatabase } from '../../api/db/client.ts';
import { chunkText, insertDelivery, readPayloads, type StoredPayload } from '../../api/outbox/store.ts';
import { isWellFormedText } from '../../api/schemas/validators.ts';
import { tenantWithServer } from './outbox-helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);

async function storeAndRead(payload: StoredPayload): Promise<StoredPayload | undefined> {
  const { tenant } = await tenantWithServer();
  const id = crypto.randomUUID();
  const { created } = await insertDelivery(
    db(),
    {
      id,
      tenantId: tenant.id,
      kind: 'invoice',
      status: 'queued',
      recipients: { to: ['kunde@kunde.example'], cc: [], bcc: [] },
      subject: 'Rechnung',
      reference: null,
      messageId: `<${id}@firma.example>`,
      idempotencyKey: id,
      requestHash: 'x',
      createdAt: new Date(),
    },
    payload,
  );
  expect(created).toBe(true);
  return (await readPayloads(db(), [id])).get(id);
}

describe('stored payloads', () => {
  it('chunks never cut a surrogate pair in half', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}😀`;
    for (const size of [2, 3, 10, 11, 100]) {
      const chunks = chunkText(text, size);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(size);
        expect(isWellFormedText(chunk)).toBe(true);
      }
    }
    expect(chunkText('', 10)).toEqual(['']);
  });

  it('an emoji on the 1 MiB chunk boundary is stored and read back whole', async () => {
    // The payload JSON starts with {"text":" (9 units): put the emoji's first half at 1 MiB.
    const text = `${'a'.repeat(1024 * 1024 - 10)}😀 Rechnung`;
    expect((await storeAndRead({ text, attachments: [] }))?.text).toBe(text);
  });

  it('10 MB of non-ASCII text (3 bytes per character in UTF-8) is read back in pages libSQL accepts', async () => {
    const text = '€'.repeat(3_400_000);
    const read = await storeAndRead({ text, attachments: [] });
    expect(read?.text?.length).toBe(text.length);
    expect(read?.text === text).toBe(true);
  });
});
