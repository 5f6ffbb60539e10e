/** A page boundary: the last row's time and id, opaque to the client. */
export const encodeCursor = (createdAt: Date, id: string) => btoa(`${createdAt.getTime()}|${id}`).replace(/=+$/, '');

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const [ms = '', id] = atob(cursor).split('|');
    const createdAt = new Date(Number(ms));
    // Digits only, and a time a Date can hold (±8.64e15 ms); anything else is not one of ours.
    return /^\d{1,16}$/.test(ms) && !Number.isNaN(createdAt.getTime()) && id ? { createdAt, id } : null;
  } catch {
    return null;
  }
}
