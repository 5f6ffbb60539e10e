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

/**
 * Splits text, given as consecutive pieces, into chunks of at most `size` UTF-16 units without
 * cutting a surrogate pair in half (a piece is whole text: no pair spans two). A large piece is
 * sliced, never copied: joining 13 MiB first would cost a copy of it.
 */
export function chunkText(pieces: readonly string[], size: number): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const piece of pieces) {
    for (let start = 0; start < piece.length; ) {
      let end = Math.min(piece.length, start + size - chunk.length);
      const last = piece.charCodeAt(end - 1);
      if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep the pair together
      chunk += piece.slice(start, end);
      start = end;
      if (start < piece.length) {
        chunks.push(chunk); // full, or the next pair does not fit
        chunk = '';
      }
    }
  }
  if (chunk !== '' || chunks.length === 0) chunks.push(chunk);
  return chunks;
}

/**
 * The stored payload's JSON (what JSON.stringify makes of it), as pieces for chunkText: an
 * attachment's base64 content goes in as it is, as stringifying it would only copy it (about
 * 100 ms for 13 MiB). A content with a quote or backslash (no base64, which the API checks) is
 * stringified.
 */
export function payloadJson({ text, html, attachments }: StoredPayload): string[] {
  const head = JSON.stringify({ text, html });
  const pieces = [`${head === '{}' ? '{' : `${head.slice(0, -1)},`}"attachments":[`];
  attachments.forEach(({ filename, contentType, content }, i) => {
    const meta = JSON.stringify({ filename, contentType }).slice(0, -1);
    const start = `${i > 0 ? ',' : ''}${meta},"content":`;
    if (content.includes('"') || content.includes('\\')) pieces.push(start, JSON.stringify(content), '}');
    else pieces.push(`${start}"`, content, '"}'); // a piece of its own: sliced into chunks, never copied
  });
  pieces.push(']}');
  return pieces;
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
