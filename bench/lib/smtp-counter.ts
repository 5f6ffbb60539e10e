import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { patchGreetingDelay } from '../../test/support/smtp-servers.ts';

const tls = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/tls/${name}`, import.meta.url)));

/**
 * A lean SMTP server for throughput figures: STARTTLS + AUTH PLAIN (or XOAUTH2 with a verifier), no
 * greeting delay, and it only counts what it accepts (parsing every message would compete with the
 * API for the CPU).
 */
export async function startSmtpCounter(credentials: {
  username: string;
  password: string;
  xoauth2?: (user: string, accessToken: string) => Promise<boolean>;
}) {
  patchGreetingDelay();
  let accepted = 0;
  /** Date.now() of each message accepted, in order. */
  const acceptedAt: number[] = [];
  const server = new SMTPServer({
    key: tls('server.key'),
    cert: tls('server.pem'),
    noGreetingDelay: true,
    disableReverseLookup: true,
    authMethods: credentials.xoauth2 ? ['XOAUTH2'] : ['PLAIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials.xoauth2) {
        credentials
          .xoauth2(auth.username ?? '', auth.accessToken ?? '')
          .then(
            (ok) =>
              ok
                ? callback(null, { user: auth.username })
                : callback(Object.assign(new Error('5.7.8 Invalid credentials'), { responseCode: 535 })),
            callback,
          );
        return;
      }
      if (auth.username === credentials.username && auth.password === credentials.password)
        return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        accepted += 1;
        acceptedAt.push(Date.now());
        callback(null, `2.0.0 Ok: queued as B${accepted}`);
      });
    },
  } as SMTPServerOptions);
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    accepted: () => accepted,
    acceptedAt: () => [...acceptedAt],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
