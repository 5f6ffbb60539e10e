// One RFC 8484 exchange: POST the query as application/dns-message, read at most `maxBytes` back.
import type { WireFailure } from './wire.ts';

const DNS_MESSAGE = 'application/dns-message';

/** The body, or null once it passes `maxBytes` (the rest is not read). */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const };
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader?.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

async function answerBytes(res: Response, maxBytes: number): Promise<Uint8Array | WireFailure> {
  if (res.status !== 200) {
    await res.body?.cancel();
    return { reason: 'http_error', detail: `HTTP ${res.status}` };
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== DNS_MESSAGE) {
    await res.body?.cancel();
    return { reason: 'bad_content_type', detail: `content type ${type || '(none)'}` };
  }
  return (await readCapped(res, maxBytes)) ?? { reason: 'oversize', detail: `answer over ${maxBytes} bytes` };
}

/** Sends one query; the answer's bytes, or why there are none. Never throws. */
export async function exchange(
  url: string,
  query: Uint8Array,
  signal: AbortSignal,
  maxBytes: number,
): Promise<Uint8Array | WireFailure> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': DNS_MESSAGE, accept: DNS_MESSAGE },
      body: query as Uint8Array<ArrayBuffer>,
      signal,
      redirect: 'manual',
    });
    return await answerBytes(res, maxBytes);
  } catch (error) {
    if (signal.aborted) return { reason: 'timeout', detail: 'no complete answer in time' };
    return { reason: 'network', detail: error instanceof Error ? error.message : String(error) };
  }
}
