// Reading the Server-Sent Events of a streamed test or verify, in both runtimes' tests.
import { expect } from 'vitest';

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
}

/** One event block: its `event:` and exactly one `data:` JSON line. */
function parseEvent(block: string): ServerEvent {
  const lines = block.split('\n');
  const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
  const data = lines.filter((l) => l.startsWith('data: '));
  expect(data, block).toHaveLength(1);
  return { event, data: JSON.parse(data[0]!.slice(6)) };
}

/** A block with an event, not blank or only a comment (the API's heartbeat, `: `). */
const isEvent = (block: string) => block.trim() !== '' && !block.split('\n').every((line) => line.startsWith(':'));

/** The events of a finished stream. */
export async function eventsOf(res: Response): Promise<ServerEvent[]> {
  return (await res.text()).split('\n\n').filter(isEvent).map(parseEvent);
}

/** Reads events as they arrive, for a stream that is still running. */
export function eventReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const seen: ServerEvent[] = [];
  /** Waits for the first event (from the start) that `match` accepts. */
  async function until(match: (e: ServerEvent) => boolean): Promise<ServerEvent> {
    for (;;) {
      const found = seen.find(match);
      if (found) return found;
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without the event awaited; got ${JSON.stringify(seen)}`);
      buffer += value;
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop()!;
      seen.push(...blocks.filter(isEvent).map(parseEvent));
    }
  }
  return { until, seen, cancel: () => reader.cancel() };
}

export const STREAM = { accept: 'text/event-stream' };
