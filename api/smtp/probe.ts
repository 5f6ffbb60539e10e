// Whether a submission server answers at host:port: connect, TLS (implicit or STARTTLS), EHLO and
// QUIT through the engine's own connection (socket adapter, address guard, timeouts); no AUTH, no mail.
import type { Security, SmtpErrorCode, SmtpStage } from '../../contract/index.ts';
import { createConnection } from './connection.ts';
import { normalizeSmtpError } from './errors.ts';
import { checkTarget } from './target.ts';
import type { MailRuntime } from './types.ts';

export interface ProbeTarget {
  host: string;
  port: number;
  security: Exclude<Security, 'none'>;
}

export interface ProbeOptions {
  runtime: MailRuntime;
  allowPrivateHosts: boolean;
  /** The whole session, connect to QUIT. */
  timeoutMs: number;
  /** Tests only: where the socket really goes (`host:port`); the guard and the result keep the target's names. */
  connectTo?: { host: string; port: number };
}

export type ProbeResult =
  | { ok: true; ms: number }
  | { ok: false; ms: number; stage: SmtpStage; code: SmtpErrorCode | 'port_blocked' | 'host_private' };

const elapsed = (start: number) => Math.round(performance.now() - start);

/** Never throws: a server that does not answer as a submission server is a stage and a code. */
export async function probeSmtp(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  // Port 25 never, whatever the runtime: a probe looks for submission servers only.
  const refused = target.port === 25 ? { code: 'port_blocked' as const } : checkTarget(target, options);
  if (refused) return { ok: false, ms: 0, stage: 'connect', code: refused.code };
  const via = options.connectTo ?? target;
  const settings = { host: via.host, port: via.port, security: target.security, auth: { method: 'none' as const } };
  const third = Math.max(1, Math.floor(options.timeoutMs / 3));
  const sendOptions = {
    runtime: options.runtime,
    addressGuard: { allowPrivateHosts: options.allowPrivateHosts },
    timeouts: { connectMs: third, greetingMs: third, socketMs: third, totalMs: options.timeoutMs },
  };
  const connection = createConnection(settings, sendOptions, false, 'localhost');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('probe timed out'), { code: 'ETIMEDOUT' })),
      options.timeoutMs,
    );
  });
  try {
    await Promise.race([connection.transport.verify(), expired]);
    return { ok: true, ms: elapsed(start) };
  } catch (error) {
    const { stage, code } = normalizeSmtpError(error, connection.recorder, {
      runtime: options.runtime,
      security: target.security,
    });
    return { ok: false, ms: elapsed(start), stage, code };
  } finally {
    clearTimeout(timer);
    connection.transport.close();
  }
}
