import { ApiError } from '../errors.ts';
import type { ExpectedVersion } from './store.ts';

/** The ETag of a settings version: a strong, quoted integer. */
export const etagOf = (version: number) => `"${version}"`;

/** Parses If-Match (`"3"`, `W/"3"`, `3`, `*`); anything else is a 412, never a silent overwrite. */
export function parseIfMatch(header: string | undefined): ExpectedVersion {
  if (header === undefined || header.trim() === '') return { kind: 'any' };
  const value = header.trim();
  if (value === '*') return { kind: 'exists' };
  const match = /^(?:W\/)?"?(\d{1,16})"?$/.exec(value);
  if (!match) throw new ApiError(412, 'precondition_failed');
  return { kind: 'exact', version: Number(match[1]) };
}
