// Real SMTP servers on free loopback ports for the tests (Node only: called from the vitest
// global setup and from the benchmark). Tests inside workerd reach the received messages
// through a tiny loopback HTTP endpoint (JSON), see `controlUrl`.
//
//   well-behaved:  plain, starttls, tls, noStarttls, untrusted, untrustedTls,
//                  relayDenied, rcptTemp, rcptPerm, oversize,
//                  xoauth2 (STARTTLS, AUTH XOAUTH2 only and required, tokens of the local authorization servers)
//   misbehaving:   silent (never greets), greetThenSilent, halfLine, drip, closes, garbage,
//                  stallsAtMail (logs in, then never answers MAIL FROM; GET /closed tells when the client hung up)
//   refused:       a port nothing listens on
//
// Every other server accepts USERNAME / PASSWORD (UTF-8) with PLAIN, LOGIN and CRAM-MD5.

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection as SmtpServerConnection } from 'smtp-server/lib/smtp-connection.js';
import { type AccessTokenVerifier, xoauth2OnAuth } from '../../scripts/lib/mail-sink.ts';

export const USERNAME = 'jürgen.müller@example.com';
export const PASSWORD = 'Grüße-Pässwort-1';

const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
/** The test CA; point SSL_CERT_FILE at it so workerd trusts `server.pem`. */
export const TEST_CA_FILE = `${tlsDir}ca.pem`;

export type FixtureName =
  | 'plain'
  | 'starttls'
  | 'tls'
  | 'noStarttls'
  | 'untrusted'
  | 'untrustedTls'
  | 'relayDenied'
  | 'rcptTemp'
  | 'rcptPerm'
  | 'flaky'
  | 'slow'
  | 'oversize'
  | 'echoesPassword'
  | 'silent'
  | 'greetThenSilent'
  | 'halfLine'
  | 'drip'
  | 'closes'
  | 'closesAfterData'
  | 'data250'
  | 'echoesSecretForms'
  | 'garbage'
  | 'refused'
  | 'xoauth2'
  | 'stallsAtMail';

export interface ReceivedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  /** base64 of the content, for byte comparisons */
  content: string;
}

export interface ReceivedMail {
  server: FixtureName;
  /** The SMTP session (connection) it came in on: mails over one reused connection share it. */
  sessionId: string;
  /** Credentials the client logged in with (user name only). */
  auth: { method: string; username: string } | null;
  secure: boolean;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  raw: string;
  parsed: {
    subject: string | null;
    from: { address: string; name: string }[];
    replyTo: { address: string; name: string }[];
    to: { address: string; name: string }[];
    messageId: string | null;
    date: string | null;
    text: string | null;
    html: string | null;
    headers: Record<string, string>;
    attachments: ReceivedAttachment[];
  };
}

export interface AuthAttempt {
  server: FixtureName;
  method: string;
  username: string;
  ok: boolean;
}

/** What the global setup hands to workerd tests with `provide('smtpFixtures', info)`. */
export interface SmtpFixturesInfo {
  host: string;
  ports: Record<FixtureName, number>;
  controlUrl: string;
  username: string;
  password: string;
}

export interface SmtpFixtures {
  info: SmtpFixturesInfo;
  received: () => ReceivedMail[];
  authAttempts: () => AuthAttempt[];
  clear: () => void;
  stop: () => Promise<void>;
}

const tlsPair = (name: 'server' | 'untrusted') => ({
  key: readFileSync(`${tlsDir}${name}.key`),
  cert: readFileSync(`${tlsDir}${name}.pem`),
});

// smtp-server waits a fixed 100 ms before its greeting ("early talker" detection), which hides
// client overhead in timings and slows the suite. Fixture servers set `noGreetingDelay`.
let patched = false;
export function patchGreetingDelay(): void {
  if (patched) return;
  patched = true;
  const proto = SmtpServerConnection.prototype as { init: () => void };
  const original = proto.init;
  proto.init = function (this: any) {
    if (!this._server?.options?.noGreetingDelay) return original.call(this);
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      this.connectionReady();
    });
  };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** `verifiers`: the access-token checks of the authorization servers whose tokens `xoauth2` accepts. */
export async function startSmtpFixtures(options: { verifiers?: AccessTokenVerifier[] } = {}): Promise<SmtpFixtures> {
  patchGreetingDelay();
  const mails: ReceivedMail[] = [];
  const attempts: AuthAttempt[] = [];
  const closers: (() => Promise<void>)[] = [];
  const sockets = new Set<Socket>();

  const listen = (server: NetServer | SMTPServer | HttpServer): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = server as NetServer;
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const address = ((server as any).server ?? server).address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });

  const smtp = async (
    name: FixtureName,
    extra: Partial<SMTPServerOptions> & Record<string, unknown>,
  ): Promise<number> => {
    const server = new SMTPServer({
      name: `${name}.fixture.test`,
      banner: `fixture ${name}`,
      noGreetingDelay: true,
      disableReverseLookup: true,
      authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
      authOptional: true,
      socketTimeout: 30_000,
      closeTimeout: 1_000,
      logger: false,
      onAuth(auth, _session, callback) {
        const method = (auth.method ?? '').toUpperCase();
        const ok =
          auth.username === USERNAME &&
          (method === 'CRAM-MD5' ? Boolean(auth.validatePassword?.(PASSWORD)) : auth.password === PASSWORD);
        attempts.push({ server: name, method, username: auth.username ?? '', ok });
        if (!ok) return callback(smtpError('5.7.8 Authentication credentials invalid', 535));
        callback(null, { user: { username: auth.username ?? '', method } });
      },
      async onData(stream, session: SMTPServerSession, callback) {
        try {
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          const raw = Buffer.concat(chunks);
          if ((stream as any).sizeExceeded) return callback(smtpError('5.3.4 Message too big', 552));
          await record(name, session, raw);
          if (typeof extra.replyDelayMs === 'number')
            await new Promise((r) => setTimeout(r, extra.replyDelayMs as number));
          callback(
            null,
            typeof extra.queuedReply === 'string'
              ? extra.queuedReply
              : `2.0.0 Ok: queued as ${name.toUpperCase()}${mails.length}`,
          );
        } catch (error) {
          callback(error as Error);
        }
      },
      ...extra,
    } as SMTPServerOptions);
    server.on('error', () => {
      /* a client dropping mid-handshake must not crash the test process */
    });
    const port = await listen(server);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1_500);
          server.close(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
    );
    return port;
  };

  async function record(name: FixtureName, session: SMTPServerSession, raw: Buffer): Promise<void> {
    const parsed = await simpleParser(raw);
    const addresses = (value: unknown): { address: string; name: string }[] => {
      const list = Array.isArray(value) ? value : value ? [value] : [];
      return list
        .flatMap((v: any) => v.value ?? [])
        .map((a: any) => ({ address: a.address ?? '', name: a.name ?? '' }));
    };
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) headers[line.key] = line.line;
    const user = session.user as unknown as { username: string; method: string } | undefined;
    mails.push({
      server: name,
      sessionId: session.id,
      auth: user ? { method: user.method, username: user.username } : null,
      secure: Boolean(session.secure),
      envelope: {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
      },
      raw: raw.toString('utf8'),
      parsed: {
        subject: parsed.subject ?? null,
        from: addresses(parsed.from),
        replyTo: addresses(parsed.replyTo),
        to: addresses(parsed.to),
        messageId: parsed.messageId ?? null,
        date: parsed.date ? parsed.date.toISOString() : null,
        text: parsed.text ?? null,
        html: typeof parsed.html === 'string' ? parsed.html : null,
        headers,
        attachments: parsed.attachments.map((a) => ({
          filename: a.filename ?? null,
          contentType: a.contentType,
          size: a.size,
          content: a.content.toString('base64'),
        })),
      },
    });
  }

  const raw = async (handler: (socket: Socket) => void): Promise<number> => {
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      handler(socket);
    });
    server.on('error', () => {});
    const port = await listen(server);
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return port;
  };

  const timers = new Set<NodeJS.Timeout>();
  const every = (socket: Socket, ms: number, fn: () => void) => {
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : fn()), ms);
    timers.add(timer);
    socket.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };

  const trusted = tlsPair('server');
  const untrusted = tlsPair('untrusted');
  const ports = {} as Record<FixtureName, number>;

  ports.plain = await smtp('plain', { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  ports.starttls = await smtp('starttls', { ...trusted });
  ports.tls = await smtp('tls', { ...trusted, secure: true });
  ports.noStarttls = await smtp('noStarttls', { disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  ports.untrusted = await smtp('untrusted', { ...untrusted });
  ports.untrustedTls = await smtp('untrustedTls', { ...untrusted, secure: true });
  ports.relayDenied = await smtp('relayDenied', {
    ...trusted,
    onMailFrom(_address, _session, callback) {
      callback(smtpError('5.7.1 Sender address rejected: not owned by user', 550));
    },
  });
  ports.rcptTemp = await smtp('rcptTemp', {
    ...trusted,
    onRcptTo(_address, _session, callback) {
      callback(smtpError('4.2.1 Mailbox temporarily unavailable, try again later', 450));
    },
  });
  ports.rcptPerm = await smtp('rcptPerm', {
    ...trusted,
    onRcptTo(_address, _session, callback) {
      callback(smtpError('5.1.1 Recipient address rejected: user unknown', 550));
    },
  });
  // The outbox's retry case: a recipient whose local part starts with "later" is refused with
  // 451 the first time it is offered, and accepted after that; one starting with "never" always
  // with 550; everyone else at once.
  const refusedOnce = new Set<string>();
  ports.flaky = await smtp('flaky', {
    ...trusted,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      if (rcpt.startsWith('never')) return callback(smtpError('5.1.1 Recipient address rejected: user unknown', 550));
      if (rcpt.startsWith('later') && !refusedOnce.has(rcpt)) {
        refusedOnce.add(rcpt);
        return callback(smtpError('4.7.1 Greylisted, please try again later', 451));
      }
      callback();
    },
  });
  // Takes its time with every message (the lease tests: a batch that outlives one lease).
  ports.slow = await smtp('slow', {
    ...trusted,
    replyDelayMs: 400,
  });
  ports.oversize = await smtp('oversize', {
    ...trusted,
    size: 2_000,
  });
  // Says the password back in its final reply (a careless or hostile server): it must not reach a response or the database.
  ports.echoesPassword = await smtp('echoesPassword', {
    ...trusted,
    queuedReply: `2.0.0 Ok: queued for ${USERNAME} with password ${PASSWORD}`,
  });
  // Like smtp.office365.com and smtp.gmail.com: no mail without signing in, and only with a token.
  ports.xoauth2 = await smtp('xoauth2', {
    ...trusted,
    authMethods: ['XOAUTH2'],
    authOptional: false,
    onAuth: xoauth2OnAuth(options.verifiers ?? [], (username, ok) =>
      attempts.push({ server: 'xoauth2', method: 'XOAUTH2', username, ok }),
    ),
  });

  // Misbehaving servers, a few lines of node:net each.
  ports.silent = await raw(() => {
    /* accepts, never greets */
  });
  ports.greetThenSilent = await raw((socket) => {
    socket.write('220 greet-then-silent.fixture.test ESMTP\r\n');
  });
  ports.halfLine = await raw((socket) => {
    socket.write('220 half-a-li');
  });
  ports.drip = await raw((socket) => {
    // A valid greeting, then an EHLO reply that never ends: one byte at a time, forever.
    socket.write('220 drip.fixture.test ESMTP\r\n');
    socket.once('data', () => {
      const text = '250-drip.fixture.test says hello\r\n';
      let i = 0;
      every(socket, 20, () => socket.write(text[i++ % text.length] ?? ''));
    });
  });
  ports.closes = await raw((socket) => {
    socket.end();
  });
  ports.closesAfterData = await raw((socket) => {
    // Takes the whole message after 354, then drops the connection without a verdict.
    socket.write('220 closes-after-data.fixture.test ESMTP\r\n');
    let inData = false;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (inData) {
        if (buffered.includes('\r\n.\r\n')) socket.destroy();
        return;
      }
      let end: number;
      while (!inData && (end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (line.startsWith('EHLO')) socket.write('250-closes-after-data.fixture.test\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          socket.write('354 go ahead\r\n');
          inData = true;
          if (buffered.includes('\r\n.\r\n')) socket.destroy();
        } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  ports.data250 = await raw((socket) => {
    // Answers 250 where DATA needs 354, then takes the message and says 250 to it as well.
    socket.write('220 data-250.fixture.test ESMTP\r\n');
    let inData = false;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (inData) {
          if (line === '.') socket.write('250 ok: queued\r\n');
          inData = line !== '.';
        } else if (line.startsWith('EHLO')) socket.write('250-data-250.fixture.test\r\n250 8BITMIME\r\n');
        else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else {
          inData = line === 'DATA';
          socket.write('250 ok\r\n');
        }
      }
    });
  });
  ports.echoesSecretForms = await raw((socket) => {
    // Says the AUTH PLAIN password back in its final reply: upper-cased, in hex, split across two
    // lines and as a word of its own.
    socket.write('220 echoes.fixture.test ESMTP\r\n');
    let password = '';
    let inData = false;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const verb = line.split(' ', 1)[0]!.toUpperCase();
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          const half = Math.ceil(password.length / 2);
          const hex = Buffer.from(password, 'utf8').toString('hex');
          socket.write(
            `250-queued; yours ${password.toUpperCase()} hex ${hex}\r\n250-split ${password.slice(0, half)}\r\n` +
              `250 ${password.slice(half)} word ${password} end\r\n`,
          );
        } else if (verb === 'EHLO') socket.write('250-echoes.fixture.test\r\n250 AUTH PLAIN\r\n');
        else if (verb === 'AUTH') {
          password =
            Buffer.from(line.split(' ')[2] ?? '', 'base64')
              .toString('utf8')
              .split('\u0000')[2] ?? '';
          socket.write('235 2.7.0 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  ports.garbage = await raw((socket) => {
    socket.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a]));
    socket.write('\u00ff\u00feGARBAGE \u0007\r\n');
    socket.on('data', () => socket.write('?!?! \u0000\r\n'));
  });
  // Logs in (saying the password back), then never answers MAIL FROM: a check stalled at `mail`.
  // When its client hangs up, the session is noted by the sender it gave (for GET /closed).
  const stalled = new Map<string, { closedAt?: number; waiters: ((closedAt: number) => void)[] }>();
  const stallOf = (from: string) => {
    if (!stalled.has(from)) stalled.set(from, { waiters: [] });
    return stalled.get(from)!;
  };
  ports.stallsAtMail = await raw((socket) => {
    socket.write('220 stalls.fixture.test ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const verb = line.split(/[ :]/, 1)[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-stalls.fixture.test\r\n250 AUTH PLAIN\r\n');
        else if (verb === 'AUTH') socket.write(`235 2.7.0 Welcome, ${USERNAME} with ${PASSWORD}\r\n`);
        else if (verb === 'MAIL') {
          const session = stallOf(line.match(/<([^>]*)>/)?.[1] ?? '');
          socket.once('close', () => {
            session.closedAt = Date.now();
            for (const waiter of session.waiters.splice(0)) waiter(session.closedAt);
          });
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  ports.refused = await (async () => {
    const server = createNetServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  })();

  // Control endpoint: GET /messages, GET /auth-attempts, DELETE /messages, and GET /closed?from=
  // (answers once the stallsAtMail session of that sender has closed: `{ closedAt }`, epoch ms).
  const http = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/messages' && req.method === 'GET') return json(mails);
    if (url.pathname === '/auth-attempts' && req.method === 'GET') return json(attempts);
    if (url.pathname === '/closed' && req.method === 'GET') {
      const session = stallOf(url.searchParams.get('from') ?? '');
      if (session.closedAt !== undefined) return json({ closedAt: session.closedAt });
      session.waiters.push((closedAt) => json({ closedAt }));
      return;
    }
    if (url.pathname === '/messages' && req.method === 'DELETE') {
      mails.length = 0;
      attempts.length = 0;
      return json({ ok: true });
    }
    res.writeHead(404).end();
  });
  http.on('error', () => {});
  const controlPort = await listen(http);
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  );

  return {
    info: {
      host: 'localhost',
      ports,
      controlUrl: `http://127.0.0.1:${controlPort}`,
      username: USERNAME,
      password: PASSWORD,
    },
    received: () => mails.slice(),
    authAttempts: () => attempts.slice(),
    clear: () => {
      mails.length = 0;
      attempts.length = 0;
    },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await Promise.all(closers.map((close) => close()));
    },
  };
}
