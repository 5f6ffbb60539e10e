import * as v from 'valibot';

/**
 * An object schema that refuses keys it does not know, with the field-error code `unknown_field`
 * (or `unknown_field:<key>` naming the key that was probably meant). Ignoring them would turn a
 * typo such as `fallbacktoSystem` or `attachements` into a silent default: no fallback, or an
 * invoice without its PDF. valibot reports the first unknown key of an object.
 */
export function strictObject<E extends v.ObjectEntries>(entries: E) {
  const keys = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    if (issue.expected !== 'never') return 'invalid_object';
    const meant = closestKey(String(issue.input), keys);
    return meant ? `unknown_field:${meant}` : 'unknown_field';
  });
}

/** The key a typo probably meant: the same but for case, or at most two edits away (one for short keys). */
export function closestKey(typed: string, keys: string[]): string | null {
  const lower = typed.toLowerCase();
  const sameButCase = keys.find((k) => k.toLowerCase() === lower);
  if (sameButCase) return sameButCase;
  const allowed = typed.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const key of keys) {
    const d = editDistance(lower, key.toLowerCase(), allowed);
    if (d < bestDistance) [best, bestDistance] = [key, d];
    else if (d === bestDistance) best = null; // two candidates as close: no guess
  }
  return bestDistance <= allowed ? best : null;
}

/** Optimal string alignment distance (swaps of neighbours count one), stopped early above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit || a.length > 64 || b.length > 64) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}
