// Plain text predicates shared by the valibot schemas and the body reader: control characters, valid Unicode.

/** True when a string holds CR, LF, NUL or another C0 control character (except tab). */
export function hasControlChars(value: string): boolean {
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** True when a string is valid Unicode: no half of a UTF-16 surrogate pair (JSON's "\ud800" can make one). */
export function isWellFormedText(value: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(value);
}

/** The string with every half surrogate pair replaced by U+FFFD (String.prototype.toWellFormed). */
export function toWellFormedText(value: string): string {
  return value.replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Where in a parsed JSON value the first string (key or value) that is not valid Unicode sits, as a
 * dotted path ('' for the value itself), or null. Iterative: a body may nest deeply.
 */
export function malformedTextPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (!isWellFormedText(current)) return path;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        const childPath = path ? `${path}.${key}` : key;
        if (!isWellFormedText(key)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}
