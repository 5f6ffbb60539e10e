import { ApiError } from '../../http/problem.ts';
import type { ExpectedVersion } from './store.ts';

export const MAX_IF_MATCH_TAGS = 100;

/** The ETag of a settings version: a strong, quoted integer. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * Parses If-Match: `*`, or a list of entity tags (`"3"`, `W/"3"`, `3`; `"3", "1"` matches either).
 * Anything else, or more than MAX_IF_MATCH_TAGS tags, is a 412, never a silent overwrite.
 */
export function parseIfMatch(header: string | undefined): ExpectedVersion {
  if (header === undefined || header.trim() === '') return { kind: 'any' };
  const value = header.trim();
  if (value === '*') return { kind: 'exists' };
  const versions: number[] = [];
  const tags = value.split(',');
  // A client holds one version, maybe a few; thousands would each become an SQL parameter.
  if (tags.length > MAX_IF_MATCH_TAGS) throw new ApiError(412, 'precondition_failed');
  for (const tag of tags) {
    const match = /^(?:W\/)?"?(\d{1,16})"?$/.exec(tag.trim());
    if (!match) throw new ApiError(412, 'precondition_failed');
    versions.push(Number(match[1]));
  }
  return { kind: 'exact', versions: [...new Set(versions)] };
}
