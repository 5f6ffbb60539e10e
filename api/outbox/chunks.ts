import { inArray, sql } from 'drizzle-orm';
import { deliveryPayloadChunks } from '../db/schema.ts';
import type { Database } from '../db/database.ts';

/** What is stored of a message until it has been sent (recipients and subject have columns). */
export interface StoredPayload {
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

/** Chunk size of stored payloads: well below the largest single value libSQL accepts (a few MiB). */
export const CHUNK_CHARS = 1024 * 1024;

/** Splits text into pieces of at most `size` UTF-16 units without cutting a surrogate pair in half. */
export function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length || chunks.length === 0; ) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep the pair together
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/**
 * libSQL answers at most 10 MB per response (sqld's and Turso's default): payloads are read in
 * pages of at most this many UTF-8 bytes, which JSON escaping (quotes, backslashes) can at most
 * double on the wire. A single chunk (1 Mi UTF-16 units, at most 3 MiB of UTF-8) always fits.
 */
const READ_PAGE_BYTES = 4 * 1024 * 1024;

/** The stored size (UTF-8 bytes) of one chunk of a delivery's payload JSON. */
export interface ChunkSize {
  deliveryId: string;
  seq: number;
  size: number;
}

/** The chunk sizes of these deliveries' payloads, ordered by delivery and sequence. */
export async function chunkSizes(db: Database, ids: string[]): Promise<ChunkSize[]> {
  const sizes: ChunkSize[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    sizes.push(
      ...(await db
        .select({
          deliveryId: deliveryPayloadChunks.deliveryId,
          seq: deliveryPayloadChunks.seq,
          size: sql<number>`length(cast(${deliveryPayloadChunks.chunk} as blob))`,
        })
        .from(deliveryPayloadChunks)
        .where(inArray(deliveryPayloadChunks.deliveryId, ids.slice(i, i + 100)))
        .orderBy(deliveryPayloadChunks.deliveryId, deliveryPayloadChunks.seq)),
    );
  }
  return sizes;
}

/**
 * The stored payloads of these deliveries, by id: the chunks in pages below libSQL's response
 * limit. `known` = chunk sizes read before (chunkSizes) for these rows or more; else they are read here.
 */
export async function readPayloads(
  db: Database,
  ids: string[],
  known?: ChunkSize[],
): Promise<Map<string, StoredPayload>> {
  const payloads = new Map<string, StoredPayload>();
  if (ids.length === 0) return payloads;
  const wanted = new Set(ids);
  const sizes = known ? known.filter((c) => wanted.has(c.deliveryId)) : await chunkSizes(db, ids);
  const pages: (typeof sizes)[] = [];
  let pageBytes = Infinity;
  for (const entry of sizes) {
    if (pageBytes + entry.size > READ_PAGE_BYTES) {
      pages.push([]);
      pageBytes = 0;
    }
    pages[pages.length - 1]!.push(entry);
    pageBytes += entry.size;
  }
  const texts = new Map<string, string>();
  for (const page of pages) {
    const keys = page.map((e) => sql`(${e.deliveryId}, ${e.seq})`);
    const rows = await db
      .select()
      .from(deliveryPayloadChunks)
      .where(
        sql`(${deliveryPayloadChunks.deliveryId}, ${deliveryPayloadChunks.seq}) in (values ${sql.join(keys, sql`, `)})`,
      )
      .orderBy(deliveryPayloadChunks.deliveryId, deliveryPayloadChunks.seq);
    for (const row of rows) texts.set(row.deliveryId, (texts.get(row.deliveryId) ?? '') + row.chunk);
  }
  for (const [id, text] of texts) payloads.set(id, JSON.parse(text) as StoredPayload);
  return payloads;
}
