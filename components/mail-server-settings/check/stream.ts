// Reads a streamed test or verify (text/event-stream over fetch's body): `start`, `stage`, `result`.
import type { Progress } from './check.ts';
import type { StageEntry } from './result.ts';

/** One event's name and data (its `data:` lines joined); comments and other fields are skipped. */
function parseEvent(block: string): [string, string] {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    const [, field, value = ''] = /^([^:]*):? ?(.*)$/.exec(line) ?? [];
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  return [name, data.join('\n')];
}

/**
 * Follows the events into `progress` (each stage's latest state, in the order they started),
 * calling `changed` after each, and answers the `result` event's body. A stream that ends without
 * one throws.
 */
export async function readCheck<T>(
  body: ReadableStream<Uint8Array>,
  progress: Progress,
  changed: () => void,
): Promise<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the check ended without a result');
    buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n?/g, '\n');
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop()!;
    for (const block of blocks) {
      const [name, data] = parseEvent(block);
      // The API's heartbeat, a comment between events: nothing to show.
      if (name === 'message' && !data) continue;
      if (name === 'result') return JSON.parse(data) as T;
      if (name === 'start') progress.id = (JSON.parse(data) as { id: string }).id;
      if (name === 'stage') {
        const { stage, status, reply } = JSON.parse(data) as StageEntry;
        const at = progress.stages.findIndex((entry) => entry.stage === stage);
        const entry = { stage, status, reply };
        if (at < 0) progress.stages.push(entry);
        else progress.stages[at] = entry;
      }
      changed();
    }
  }
}
