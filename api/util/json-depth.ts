/** What makes JSON text too costly to parse and validate, found before parsing it. */
export type JsonShapeProblem = 'too_deep' | 'too_many_items';

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, or holds more than `maxItems`
 * items in all its arrays and objects together (an empty one counts as one), in one pass without
 * parsing it. String contents are skipped with indexOf (a body is mostly base64 attachments), so a
 * 14 MiB message is scanned in milliseconds. Malformed text is left for JSON.parse to refuse.
 */
export function jsonShapeProblem(text: string, maxDepth: number, maxItems = Infinity): JsonShapeProblem | null {
  const structural = /["[\]{},]/g;
  // Each container's first item, and one more for every comma.
  let items = 0;
  let depth = 0;
  for (let match = structural.exec(text); match; match = structural.exec(text)) {
    const ch = match[0];
    if (ch === '"') {
      const end = stringEnd(text, match.index);
      if (end < 0) return null;
      structural.lastIndex = end + 1;
    } else if (ch === ',' || ch === '[' || ch === '{') {
      if (ch !== ',' && ++depth > maxDepth) return 'too_deep';
      if (++items > maxItems) return 'too_many_items';
    } else if (depth > 0) {
      depth--;
    }
  }
  return null;
}

/** Whether JSON text nests arrays and objects deeper than `max` (jsonShapeProblem's depth alone). */
export function nestsDeeperThan(text: string, max: number): boolean {
  return jsonShapeProblem(text, max) === 'too_deep';
}

/** The closing quote of the string literal opened at `open`: the next one not escaped by an odd number of backslashes; -1 if none. */
export function stringEnd(text: string, open: number): number {
  for (let end = text.indexOf('"', open + 1); end >= 0; end = text.indexOf('"', end + 1)) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
  }
  return -1;
}
