// The `limit`/`cursor` paging of the list routes (the tenant's deliveries, the operator's webhook
// log): keyset pages over (created_at, id), newest first, with the same errors everywhere.
import type { Context } from 'hono';
import type { FieldCode } from '../i18n/field-messages.ts';
import type { AppEnv } from './context.ts';

/** A page boundary: the last row's time and id, opaque to the client. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = (createdAt: Date, id: string) => btoa(`${createdAt.getTime()}|${id}`).replace(/=+$/, '');

export function decodeCursor(cursor: string): Cursor | null {
  try {
    const [ms = '', id] = atob(cursor).split('|');
    const createdAt = new Date(Number(ms));
    // Digits only, and a time a Date can hold (±8.64e15 ms); anything else is not one of ours.
    return /^\d{1,16}$/.test(ms) && !Number.isNaN(createdAt.getTime()) && id ? { createdAt, id } : null;
  } catch {
    return null;
  }
}

/** `limit` (1–100, default 20) and `cursor` from the query; a bad one goes to `refuse`, with the other fields' errors. */
export function pagingQuery(
  c: Context<AppEnv>,
  refuse: (path: string, code: FieldCode) => void,
): { limit: number; cursor: Cursor | undefined } {
  const limitText = c.req.query('limit') ?? '20';
  const limit = Number(limitText);
  const cursorText = c.req.query('cursor');
  const cursor = cursorText ? decodeCursor(cursorText) : undefined;
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) refuse('limit', 'limit_invalid');
  if (cursor === null) refuse('cursor', 'cursor_invalid');
  return { limit, cursor: cursor ?? undefined };
}

/** The page of `limit + 1` rows read, and the cursor after it when there are more. */
export function pageOf<T extends Cursor>(rows: T[], limit: number): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
