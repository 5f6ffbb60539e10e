// RFC 3492 decoding, to tell a real A-label (`xn--mller-kva`) from an invalid one (`xn--zz`): the URL
// parser passes A-labels through unchecked in workerd and Node, and DNS would then be asked a name
// that no Unicode name encodes to.

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / 700) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  for (; d > ((BASE - T_MIN) * T_MAX) >> 1; k += BASE) d = Math.floor(d / (BASE - T_MIN));
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + 38));
}

/** a–z are 0–25, 0–9 are 26–35 (the input is lower case: the URL parser made it so). */
function digitOf(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 22;
  return -1;
}

/** The code points a Punycode string (without `xn--`) stands for, or null when it is not one. */
export function decodePunycode(input: string): string | null {
  const delimiter = input.lastIndexOf('-');
  const output = [...input.slice(0, Math.max(delimiter, 0))].map((c) => c.charCodeAt(0));
  let n = 128;
  let i = 0;
  let bias = 72;
  for (let pos = delimiter + 1; pos < input.length; ) {
    const old = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      const digit = pos < input.length ? digitOf(input.charCodeAt(pos++)) : -1;
      if (digit < 0) return null;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
      if (i > 0x10ffff * (output.length + 1)) return null; // past every code point
    }
    bias = adapt(i - old, output.length + 1, old === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}
