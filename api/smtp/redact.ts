// Which forms of a secret a server may say back (as given, upper- or lower-cased, hex, base64 alone
// or inside AUTH PLAIN's), and taking them out of its replies, also when split across reply lines.

/** Below this length a secret is taken out only as a whole token: "ab" inside "about" stays. */
export const SHORT_SECRET = 3;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The base64 text that depends on the secret's bytes alone, at each of the three alignments. */
function base64Forms(secret: string): string[] {
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const bytes = new TextEncoder().encode(secret);
  const out = [b64(bytes)];
  for (let pad = 1; pad < 3; pad++) {
    const encoded = b64(new Uint8Array([...new Uint8Array(pad), ...bytes]));
    const stable = encoded.slice(4, Math.floor((pad + bytes.length) / 3) * 4);
    if (stable.length >= 8) out.push(stable);
  }
  return out;
}

function hexForm(secret: string): string {
  return [...new TextEncoder().encode(secret)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Global patterns per secret (its caseless and its exact forms); a short one's only where no letter or digit touches them. */
export function secretPatterns(secrets: (string | null | undefined)[]): RegExp[] {
  return secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .flatMap((secret) => {
      const caseless = [secret, secret.toUpperCase(), secret.toLowerCase(), hexForm(secret)];
      const pattern = (forms: string[], flags: string) => {
        // Longest first, so a form is never cut short by one that is its prefix.
        const body = `(?:${forms
          .map(escapeRegExp)
          .sort((a, b) => b.length - a.length)
          .join('|')})`;
        const bounded = secret.length < SHORT_SECRET ? `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])` : body;
        return new RegExp(bounded, flags);
      };
      return [pattern(caseless, 'giu'), pattern(base64Forms(secret), 'gu')];
    });
}

/**
 * The lines of one reply with every secret form replaced by `***`, judged on the lines' texts joined
 * (after each `250-` code), so that a secret split across lines is found too.
 */
export function redactReplyLines(lines: string[], patterns: RegExp[]): string[] {
  if (patterns.length === 0) return lines;
  const prefixes = lines.map((line) => /^\d{3}[ -]/.exec(line)?.[0] ?? '');
  const bodies = lines.map((line, i) => line.slice(prefixes[i]!.length));
  const joined = bodies.join('');
  const hidden = new Uint8Array(joined.length);
  // Each line alone too: joined, a line's end touches the next line's start (a short secret then has no word boundary).
  const texts = [joined, ...bodies];
  let start = 0;
  texts.forEach((text, t) => {
    for (const pattern of patterns)
      for (const match of text.matchAll(pattern))
        hidden.fill(1, start + match.index, start + match.index + match[0].length);
    if (t > 0) start += text.length;
  });
  let offset = 0;
  return bodies.map((body, i) => {
    let out = '';
    for (let j = 0; j < body.length; j++) {
      const mask = hidden[offset + j];
      if (!mask) out += body[j];
      else if (j === 0 || !hidden[offset + j - 1]) out += '***';
    }
    offset += body.length;
    return prefixes[i] + out;
  });
}
