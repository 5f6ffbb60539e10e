/**
 * Whether JSON text nests arrays and objects deeper than `max`, in one pass without parsing it.
 * String contents are skipped with indexOf (a body is mostly base64 attachments), so a 14 MiB
 * message is scanned in milliseconds. Malformed text is left for JSON.parse to refuse.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  const structural = /["[\]{}]/g;
  let depth = 0;
  for (let match = structural.exec(text); match; match = structural.exec(text)) {
    const ch = match[0];
    if (ch === '"') {
      // The closing quote: the next one not escaped by an odd number of backslashes.
      let end = match.index;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      structural.lastIndex = end + 1;
    } else if (ch === '[' || ch === '{') {
      if (++depth > max) return true;
    } else {
      depth--;
    }
  }
  return false;
}
