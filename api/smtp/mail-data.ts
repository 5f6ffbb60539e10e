import { makeMessageId } from './message-id.ts';
import type { Address, OutgoingMessage } from './types.ts';

const HEADER_UNSAFE = /[\r\n\0]/;

const addr = (a: string | Address): { address: string; name: string } =>
  typeof a === 'string' ? { address: a, name: '' } : { address: a.address, name: a.name ?? '' };

function assertHeaderSafe(values: (string | null | undefined)[]): void {
  for (const value of values) {
    if (value && HEADER_UNSAFE.test(value)) throw new TypeError('header values must not contain CR, LF or NUL');
  }
}

/** Nodemailer message data (the compose step) for one outgoing message. */
export function buildMailData(message: OutgoingMessage): Record<string, unknown> & { messageId: string } {
  const to = message.to.map(addr);
  const cc = (message.cc ?? []).map(addr);
  const bcc = (message.bcc ?? []).map(addr);
  const replyTo = message.replyTo ? addr(message.replyTo) : null;
  assertHeaderSafe([
    message.from.address,
    message.from.name,
    message.subject,
    replyTo?.address,
    replyTo?.name,
    ...[...to, ...cc, ...bcc].flatMap((a) => [a.address, a.name]),
    ...(message.attachments ?? []).map((a) => a.filename),
    ...Object.entries(message.headers ?? {}).flat(),
  ]);
  const messageId = message.messageId ?? makeMessageId(message.from.address);
  return {
    from: { name: message.from.name ?? '', address: message.from.address },
    ...(replyTo ? { replyTo } : {}),
    to,
    ...(cc.length ? { cc } : {}),
    ...(bcc.length ? { bcc } : {}),
    subject: message.subject,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
    messageId,
    date: message.date ?? new Date(),
    headers: message.headers ?? {},
    // MAIL FROM = the sender, so bounces return to the tenant; Bcc only in the envelope.
    envelope: { from: message.from.address, to: [...to, ...cc, ...bcc].map((a) => a.address) },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
