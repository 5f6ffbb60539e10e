import * as v from 'valibot';
import type { FieldCode } from '../../i18n/field-messages.ts';

const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;

/** `status=` of the log: one status or several, comma-separated; null when a value is unknown. */
export function parseStatuses(text: string): (typeof DELIVERY_STATUSES)[number][] | null {
  const parts = text.split(',');
  return parts.every((p): p is (typeof DELIVERY_STATUSES)[number] =>
    (DELIVERY_STATUSES as readonly string[]).includes(p),
  )
    ? parts
    : null;
}

/** `kind=` of the log. */
export const parseKind = (text: string): 'business' | 'test' | null =>
  text === 'business' || text === 'test' ? text : null;

/** `POST /v1/deliveries/problems/acknowledge`: the problems the tenant has seen. */
export const acknowledgeSchema = v.strictObject(
  {
    ids: v.pipe(
      v.array(
        v.pipe(
          v.string('delivery_ids_invalid' satisfies FieldCode),
          v.minLength(1, 'delivery_ids_invalid'),
          v.maxLength(100, 'delivery_ids_invalid'),
        ),
        'delivery_ids_invalid',
      ),
      v.minLength(1, 'delivery_ids_invalid'),
      v.maxLength(100, 'delivery_ids_invalid'),
    ),
  },
  'invalid_object',
);
