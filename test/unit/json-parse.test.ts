// parseJson takes large string values as slices of the text instead of parsing them: it must give
// what JSON.parse gives, value and key order, and refuse what JSON.parse refuses.
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../api/util/json-parse.ts';

const big = (ch: string) => ch.repeat(70_000);
const b64 = `${big('QUJD')}PQ==`;

describe('parseJson', () => {
  it('gives what JSON.parse gives, with large values sliced, escaped or not, anywhere in the text', () => {
    const texts = [
      JSON.stringify({ kind: 'invoice', attachments: [{ filename: 'a.pdf', content: b64 }, { content: b64 }] }),
      JSON.stringify({ text: `${big('ä')}\n"€"\u0000`, html: big('x'), [big('k')]: 'a large key stays a key', z: 1 }),
      JSON.stringify([b64, [[b64]], { a: b64 }]),
      JSON.stringify(b64),
      ` { "a" : "${b64}" , "b":\t"${b64}"\n}`,
      // Its own "__proto__" key, as JSON.parse makes it (no prototype is set).
      `{"__proto__":"${b64}","x":"${big('y')}"}`,
    ];
    for (const text of texts) {
      const parsed = parseJson(text);
      expect(parsed).toStrictEqual(JSON.parse(text));
      expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(text))); // key order too
    }
    const proto = parseJson(`{"__proto__":"${b64}"}`) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(b64);
  });

  it('refuses what JSON.parse refuses, whatever the large value holds', () => {
    const texts = [
      `{"a":"${big('x')}\t${big('x')}"}`, // a raw control character in a string
      `{"a":"${big('x')}\n"}`,
      `{"a":"${big('x')}`, // never ends
      `{"a":"${big('x')}" "b"}`,
      `{"a":x"${big('x')}"}`,
      `{"a":"${big('x')}\\q"}`, // not an escape
      `"${big('x')}"]`,
    ];
    for (const text of texts) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseJson(text)).toThrow(SyntaxError);
    }
  });
});
