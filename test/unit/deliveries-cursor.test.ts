import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../api/http/paging.ts';

describe('the deliveries cursor', () => {
  it('reads back the time and id it was made of, up to the latest time a Date holds', () => {
    for (const [ms, id] of [
      [0, 'a'],
      [1_765_000_000_000, '0b5c6a1e-2f3d-4c5b-8a9e-1f2d3c4b5a69'],
      [8.64e15, 'z'],
    ] as const) {
      const decoded = decodeCursor(encodeCursor(new Date(ms), id));
      expect(decoded?.createdAt.getTime()).toBe(ms);
      expect(decoded?.id).toBe(id);
    }
  });

  it.each([
    ['not base64', '%%%'],
    ['no separator', btoa('12345')],
    ['no id', btoa('12345|')],
    ['a time that is not digits', btoa('-5|id')],
    ['a time a Date cannot hold', btoa('9999999999999999|id')],
    ['empty', ''],
  ])('refuses %s', (_, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
