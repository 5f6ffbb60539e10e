import * as v from 'valibot';

// valibot runs the rest of a pipe after a failed check (`v.pipe(v.array(item), v.maxLength(n))`
// validates every item first, then counts), but stops at the next schema. So each length limit
// here comes first and the costly part after it is a schema: it never runs on input over the limit.

/** An array of at most `max` items, each checked by `item` only when there are not too many. */
export function boundedArray<T extends v.GenericSchema>(
  item: T,
  max: number,
  tooMany: string,
): v.GenericSchema<v.InferInput<T>[], v.InferOutput<T>[]> {
  // Typed as an array of items, not the first step's unknown[], so clients (hc) see what to send.
  return v.pipe(v.array(v.unknown(), 'invalid_type'), v.maxLength(max, tooMany), v.array(item, 'invalid_type'));
}

/** A string of at most `max` characters (`too_long`, naming the limit), checked by `rest` only when it is not longer. */
export function boundedString<T extends v.GenericSchema<string, unknown>>(max: number, rest: T) {
  return v.pipe(v.string('invalid_type'), v.maxLength(max, 'too_long'), rest);
}
