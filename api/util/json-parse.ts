import { stringEnd } from './json-depth.ts';

/**
 * String values at least this long are not parsed but sliced from the text: JSON.parse copies a
 * string character by character, about 45 ms for a 13 MiB attachment, and a slice costs nothing.
 */
const LARGE_STRING = 64 * 1024;

/** What JSON.parse would not take as it is in a string: an escape or a control character. */
const NOT_PLAIN = /[\x00-\x1f\\]/;
/** After a key: only whitespace, then the colon. */
const COLON_NEXT = /[ \t\n\r]*:/y;

/**
 * JSON.parse(text), the same value or the same SyntaxError, but large string values without
 * escapes are taken from the text as slices: each is replaced by a short placeholder literal
 * (a per-call random prefix, so no value in the text can be mistaken for one) before parsing, and
 * put back by the reviver. Keys stay as they are (putting one back would change the order).
 */
export function parseJson(text: string): unknown {
  const prefix = `${crypto.randomUUID()}:`;
  const large: string[] = [];
  const pieces: string[] = [];
  let copied = 0;
  for (let open = text.indexOf('"'); open >= 0; open = text.indexOf('"', open + 1)) {
    const close = stringEnd(text, open);
    if (close < 0) break; // unterminated: JSON.parse says so
    COLON_NEXT.lastIndex = close + 1;
    const value = close - open > LARGE_STRING && !COLON_NEXT.test(text) ? text.slice(open + 1, close) : '';
    if (value !== '' && !NOT_PLAIN.test(value)) {
      pieces.push(text.slice(copied, open), `"${prefix}${large.length}"`);
      large.push(value);
      copied = close + 1;
    }
    open = close;
  }
  if (large.length === 0) return JSON.parse(text);
  pieces.push(text.slice(copied));
  return JSON.parse(pieces.join(''), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(prefix) ? large[Number(value.slice(prefix.length))] : value,
  );
}
