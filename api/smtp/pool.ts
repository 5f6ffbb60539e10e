import { type Connection, createConnection } from './connection.ts';
import { sendThrough } from './send.ts';
import type { OutgoingMessage, SendOptions, SendResult, SmtpSettings } from './types.ts';
import { waitAtMost } from '../util/wait-at-most.ts';

export interface PooledSender {
  /** Sends one message over the shared connection; sends are serialised. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Ends the session (QUIT); bounded, it never waits longer than `closeTimeoutMs`. */
  close(): Promise<void>;
}

/**
 * One SMTP session reused for many messages (Nodemailer `pool: true`, one connection).
 * A send that runs out of time drops the session; the next send opens a new one.
 */
export function openSender(
  settings: SmtpSettings,
  options: SendOptions & { clientName: string; closeTimeoutMs?: number },
): PooledSender {
  let connection: Connection | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const drop = (c: Connection) => {
    try {
      // force: a connection still busy with the given-up message must not finish it in the background.
      (c.transport.close as (options?: { force?: boolean }) => void)({ force: true });
    } catch {
      /* already closed */
    }
    if (connection === c) connection = null;
  };
  const send = (message: OutgoingMessage): Promise<SendResult> => {
    const run = async (): Promise<SendResult> => {
      if (closed) throw new Error('sender is closed');
      const c = (connection ??= createConnection(settings, options, true, options.clientName));
      const from = c.recorder.lines.length;
      const result = await sendThrough(c, message, settings, options, from, false);
      if (
        !result.ok &&
        (result.error.code === 'total_timeout' || result.error.stage === 'tls' || result.error.stage === 'connect')
      )
        drop(c);
      return result;
    };
    const next = chain.then(run, run);
    chain = next.catch(() => {});
    return next;
  };
  const close = async (): Promise<void> => {
    closed = true;
    await waitAtMost(chain, options.closeTimeoutMs ?? 1_000);
    const c = connection;
    connection = null;
    if (!c) return;
    // QUIT and close; after STARTTLS, workerd's close() may never settle: never await it unbounded.
    c.transport.close();
  };
  return { send, close };
}
