// Stored payloads: large and non-ASCII bodies go into the database in chunks and come back whole.
// libSQL refuses half a UTF-16 surrogate pair, and answers at most 10 MB per response.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { getDatabase } from '../../api/db/client.ts';
import { eq } from 'drizzle-orm';
import { deliveryPayloadChunks } from '../../api/db/schema.ts';
import type { Bindings } from '../../api/config/bindings.ts';
import { deliver } from '../../api/outbox/deliver.ts';
import { PayloadLoader } from '../../api/outbox/payloads.ts';
import { chunkText, payloadJson, readPayloads, type StoredPayload } from '../../api/outbox/chunks.ts';
import { isWellFormedText } from '../../api/util/text.ts';
import { mailsWith, messageStatus, pdfBytes, storedDelivery, tenantWithServer, toBase64 } from './outbox-helpers.ts';
import { marker } from './smtp-helpers.ts';

const db = () => getDatabase(env.DATABASE_URL!);

async function storeAndRead(payload: StoredPayload): Promise<StoredPayload | undefined> {
  const { tenant } = await tenantWithServer();
  const id = await storedDelivery(tenant.id, { to: ['kunde@kunde.example'], subject: 'Rechnung', payload });
  return (await readPayloads(db(), [id])).get(id);
}

describe('stored payloads', () => {
  it('chunks never cut a surrogate pair in half, within a piece or where pieces meet', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}😀`;
    for (const pieces of [[text], [text.slice(0, 9), text.slice(9, 16), '', text.slice(16)]]) {
      for (const size of [2, 3, 10, 11, 100]) {
        const chunks = chunkText(pieces, size);
        expect(chunks.join('')).toBe(text);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(size);
          expect(isWellFormedText(chunk)).toBe(true);
        }
        expect(chunks.slice(0, -1).every((c) => c.length >= size - 1)).toBe(true); // no chunk is cut short
      }
    }
    expect(chunkText([''], 10)).toEqual(['']);
    expect(chunkText([], 10)).toEqual(['']);
  });

  it("the payload's JSON in pieces is what JSON.stringify makes of it, also for a content that is no base64", () => {
    const attachment = (content: string) => ({ filename: 'Rechnung "1".pdf', contentType: 'application/pdf', content });
    const payloads: StoredPayload[] = [
      { attachments: [] },
      { text: 'Anbei.', attachments: [attachment('JVBERi0=')] },
      {
        html: '<p>€ "</p>',
        attachments: [attachment('QUJD'), attachment('x"},{"filename":"evil.exe'), attachment('a\\b')],
      },
    ];
    for (const payload of payloads) expect(payloadJson(payload).join('')).toBe(JSON.stringify(payload));
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

describe('payloads of a batch are read as their rows come up', () => {
  it('in groups of at most the budget (one row alone when larger), each let go when its row is done', async () => {
    const order = ['a', 'b', 'c', 'd', 'e', 'big', 'f'];
    const sizes = new Map(order.map((id) => [id, id === 'big' ? 50 : 4]));
    const reads: string[][] = [];
    const read = async (_db: unknown, ids: string[]) => {
      reads.push(ids);
      return new Map(ids.map((id) => [id, { text: `body ${id}`, attachments: [] }]));
    };
    const loader = new PayloadLoader(db(), [order], sizes, 10, read as never);
    for (const id of order) {
      expect((await loader.get(id))?.text).toBe(`body ${id}`);
      loader.release(id);
    }
    expect(reads).toEqual([['a', 'b'], ['c', 'd'], ['e'], ['big'], ['f']]);
  });

  it('the budget holds for the whole batch: concurrent slots of several tenants wait for rows done', async () => {
    // Two tenants, five rows of 13 each, budget 16: at most one row's payload may be held at once.
    const groups = [
      ['a1', 'a2', 'a3', 'a4', 'a5'],
      ['b1', 'b2', 'b3', 'b4', 'b5'],
    ];
    const sizes = new Map(groups.flat().map((id) => [id, 13]));
    let held = 0;
    let mostHeld = 0;
    const read = async (_db: unknown, ids: string[]) => {
      held += ids.length * 13;
      mostHeld = Math.max(mostHeld, held);
      return new Map(ids.map((id) => [id, { text: id, attachments: [] }]));
    };
    const loader = new PayloadLoader(db(), groups, sizes, 16, read as never);
    // Four slots per tenant, each taking the next row in order, as deliver() does.
    const sent: string[] = [];
    await Promise.all(
      groups.map(async (rows) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (next < rows.length) {
              const id = rows[next++]!;
              expect((await loader.get(id))?.text).toBe(id);
              await new Promise((r) => setTimeout(r, 5)); // the send
              sent.push(id);
              held -= 13;
              loader.release(id);
            }
          }),
        );
      }),
    );
    expect(sent.sort()).toEqual(groups.flat().sort());
    expect(mostHeld).toBe(13);
  });

  it('a read does not reach past rows another read has: a waiting read never needs budget that rows behind it hold', async () => {
    // Budget 100. x (another tenant's row) is held; the read of w1..w4 (60; y would make it 105)
    // waits. When x is let go, z (before them in sending order) is asked for at once: reaching past
    // them to y would hold y (45) where no slot can get to it while all wait for w1..w4's read.
    const sizes = new Map([
      ['x', 50],
      ['z', 10],
      ['w1', 15],
      ['w2', 15],
      ['w3', 15],
      ['w4', 15],
      ['y', 45],
    ]);
    const reads: string[][] = [];
    const read = async (_db: unknown, ids: string[]) => {
      reads.push(ids);
      return new Map(ids.map((id) => [id, { text: id, attachments: [] }]));
    };
    const loader = new PayloadLoader(db(), [['x'], ['z', 'w1', 'w2', 'w3', 'w4', 'y']], sizes, 100, read as never);
    await loader.get('x');
    const w = loader.get('w1');
    loader.release('x');
    await loader.get('z');
    loader.release('z');
    const inTime = await Promise.race([w.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
    expect(inTime).toBe(true);
    expect(reads).toEqual([['x'], ['z'], ['w1', 'w2', 'w3', 'w4']]);
  });

  it('a failed read gives the budget back; a row let go before its turn is not read; a read waits its turn', async () => {
    const sizes = new Map([
      ['x', 4],
      ['y', 4],
      ['z', 8],
    ]);
    let fail = true;
    const reads: string[][] = [];
    const read = async (_db: unknown, ids: string[]) => {
      reads.push(ids);
      if (fail) throw new Error('database unreachable');
      return new Map(ids.map((id) => [id, { text: id, attachments: [] }]));
    };
    const loader = new PayloadLoader(db(), [['x', 'y', 'z']], sizes, 10, read as never);
    await expect(loader.get('x')).rejects.toThrow('database unreachable');
    fail = false;
    loader.release('y'); // will not be sent (say the lease ran short)
    expect((await loader.get('x'))?.text).toBe('x'); // holds 4: the failed read holds nothing
    let zRead = false;
    const z = loader.get('z').then((payload) => {
      zRead = true;
      return payload;
    });
    // One turn of the event loop: the reader is in memory, so a read that needed no budget has ended by now.
    await new Promise((r) => setTimeout(r, 0));
    expect(zRead).toBe(false); // 4 + 8 > 10: waits until x is done
    loader.release('x');
    expect((await z)?.text).toBe('z');
    expect(reads).toEqual([['x', 'y'], ['x'], ['z']]);
  });

  it('a batch read in small groups sends every invoice whole; a row whose body is gone fails instead of going out empty', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const pdf = pdfBytes();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const payload = {
        text: `Rechnung ${i}`,
        attachments: [{ filename: `R-${i}.pdf`, contentType: 'application/pdf', content: toBase64(pdf) }],
      };
      ids.push(
        await storedDelivery(tenant.id, {
          to: [`kunde${i}@kunde.example.com`],
          subject: `Rechnung ${tag} ${i}`,
          payload,
        }),
      );
    }
    await db().delete(deliveryPayloadChunks).where(eq(deliveryPayloadChunks.deliveryId, ids[5]!));
    // A budget of one byte: every row's payload is read on its own, when its turn comes.
    await deliver(ids, {
      db: db(),
      config: parseConfig(env as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
      payloadLoadBytes: 1,
    });

    const mails = await mailsWith(tag);
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `Rechnung ${tag} ${i}`));
    for (const mail of mails) expect(mail.parsed.attachments[0]!.content).toBe(toBase64(pdf));
    for (const id of ids.slice(0, 5)) expect((await messageStatus(tenant.id, id)).status).toBe('sent');
    expect(await messageStatus(tenant.id, ids[5]!)).toMatchObject({
      status: 'failed',
      error: { code: 'payload_missing' },
    });
  });

  it('a stored message that cannot be built (damaged data) ends failed with a reason; the rest of its batch goes out', async () => {
    const { tenant } = await tenantWithServer('starttls');
    const tag = marker();
    const good = await storedDelivery(tenant.id, { to: ['kunde@kunde.example.com'], subject: `Rechnung ${tag} gut` });
    // Stored past the API's checks: an attachment that is no base64, a subject with a line break.
    const badData = await storedDelivery(tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${tag} Anhang`,
      payload: {
        text: 'x',
        attachments: [{ filename: 'r.pdf', contentType: 'application/pdf', content: 'kein base64!' }],
      },
    });
    const badHeader = await storedDelivery(tenant.id, {
      to: ['kunde@kunde.example.com'],
      subject: `Rechnung ${tag}\r\nBcc: jemand@example.com`,
    });
    await deliver([good, badData, badHeader], {
      db: db(),
      config: parseConfig(env as Bindings),
      runtime: 'workers',
      now: () => new Date(),
      enqueue: async () => {},
    });
    expect((await mailsWith(tag)).map((m) => m.parsed.subject)).toEqual([`Rechnung ${tag} gut`]);
    expect(await messageStatus(tenant.id, good)).toMatchObject({ status: 'sent' });
    for (const id of [badData, badHeader]) {
      expect(await messageStatus(tenant.id, id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { code: 'payload_unusable', message: expect.stringMatching(/damaged/) },
      });
    }
  });
});
