// Anti-SSRF on Node for host NAMES (the engine's resolveTarget): a public-looking name that resolves to
// loopback/private/link-local is refused at stage `connect` with `private_address` before any TCP
// connection; with ALLOW_PRIVATE_HOSTS the engine connects to the address it resolved (no second
// DNS query) and still verifies the certificate against the NAME. The resolver is injected, so
// `mail.example.test` (which no real DNS answers) can "resolve" to 127.0.0.1.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalizeSmtpError } from '../../api/smtp/errors.ts';
import { localizeSmtpError } from '../../api/i18n/smtp-errors.ts';
import { fixedLookup, resolveTarget } from '../../api/smtp/resolve.ts';
import { openSender } from '../../api/smtp/pool.ts';
import { sendMessage } from '../../api/smtp/send.ts';
import { checkTarget, isPrivateAddress, isPrivateHost } from '../../api/smtp/target.ts';
import type { HostLookup, OutgoingMessage, SendOptions, SmtpSettings } from '../../api/smtp/types.ts';

const tlsFile = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
// server.pem: CN=localhost, SAN DNS:localhost + IP:127.0.0.1, signed by the test CA (ca.pem).
const key = tlsFile('server.key');
const cert = tlsFile('server.pem');

describe('isPrivateAddress (addresses a host name resolved to)', () => {
  it.each([
    // IPv4
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '192.168.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.0',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '192.0.0.8',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    // IPv6
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'fec0::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    'ff05::fb',
    '100::1',
    // IPv4 inside IPv6
    '::ffff:127.0.0.1',
    '::FFFF:7F00:1',
    '::ffff:10.1.2.3',
    '::ffff:a9fe:a9fe',
    '::ffff:192.168.1.1',
    '::ffff:100.64.0.1',
    '::ffff:0.0.0.0',
    '::127.0.0.1',
    '::ffff:0:127.0.0.1',
    '64:ff9b::a00:1',
    '64:ff9b::10.0.0.1',
    '64:ff9b:1::808:808',
    '2002:a00:1::1',
    '2002:7f00:1::1',
    '2002:a9fe:a9fe::',
  ])('%s is internal', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '169.253.255.255',
    '11.0.0.1',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::201a',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fe00::1',
    'fbff::1',
  ])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each([
    '',
    'mail.example.com',
    '127.1',
    '2130706433',
    '0x7f000001',
    '1.2.3.256',
    '1.2.3',
    '1.2.3.4.5',
    ':::1',
    'gggg::1',
    '1::2::3',
  ])('fails closed for %j (not an address a resolver gives)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it('the name check alone does not catch a public-looking name (why the send path resolves it)', () => {
    expect(isPrivateHost('mail.example.test')).toBe(false);
    expect(
      checkTarget({ host: 'mail.example.test', port: 587 }, { runtime: 'node', allowPrivateHosts: false }),
    ).toBeNull();
  });
});

const lookupTo = (...addresses: string[]) =>
  vi.fn<HostLookup>(async () =>
    addresses.map((address) => ({ address, family: net.isIP(address.replace(/%.*$/, '')) })),
  );

describe('resolveTarget / fixedLookup', () => {
  it('refuses when ANY address is internal, returns all addresses otherwise', async () => {
    await expect(
      resolveTarget('mail.example.test', { allowPrivateHosts: false, lookup: lookupTo('93.184.215.14', '10.0.0.5') }),
    ).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    await expect(
      resolveTarget('mail.example.test', { allowPrivateHosts: false, lookup: lookupTo('2606:4700::1', '::1') }),
    ).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    await expect(
      resolveTarget('mail.example.test', {
        allowPrivateHosts: false,
        lookup: lookupTo('93.184.215.14', '2606:4700::1'),
      }),
    ).resolves.toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
    await expect(
      resolveTarget('mail.example.test', { allowPrivateHosts: true, lookup: lookupTo('127.0.0.1') }),
    ).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('refuses private names and IP literals before asking DNS', async () => {
    for (const host of ['localhost', 'mail.localhost', '127.0.0.1', '10.1.2.3', '::1', '0x7f.1']) {
      const lookup = lookupTo('93.184.215.14');
      await expect(resolveTarget(host, { allowPrivateHosts: false, lookup })).rejects.toMatchObject({
        code: 'EPRIVATEADDRESS',
      });
      expect(lookup).not.toHaveBeenCalled();
    }
  });

  it('an empty answer is "not found"', async () => {
    await expect(
      resolveTarget('mail.example.test', { allowPrivateHosts: false, lookup: lookupTo() }),
    ).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('the fixed lookup answers only from the checked addresses, by family too', async () => {
    const lookup = fixedLookup([
      { address: '2606:4700::1', family: 6 },
      { address: '93.184.215.14', family: 4 },
    ]);
    const ask = (options: { all?: boolean; family?: number }) =>
      new Promise<unknown[]>((resolve) =>
        lookup('anything.example', options, (err, address, family) => resolve([err?.message ?? null, address, family])),
      );
    expect(await ask({ all: true })).toEqual([
      null,
      [
        { address: '2606:4700::1', family: 6 },
        { address: '93.184.215.14', family: 4 },
      ],
      undefined,
    ]);
    expect(await ask({})).toEqual([null, '2606:4700::1', 6]);
    expect(await ask({ family: 4 })).toEqual([null, '93.184.215.14', 4]);
    expect(await ask({ family: 4, all: true })).toEqual([null, [{ address: '93.184.215.14', family: 4 }], undefined]);
  });

  it('a certificate name mismatch is not mistaken for a DNS failure ("DNS:" in the altname list)', () => {
    const text =
      "Hostname/IP does not match certificate's altnames: Host: mail.example.test. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1";
    const implicit = normalizeSmtpError(
      Object.assign(new Error(text), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      null,
      { runtime: 'node', security: 'tls' },
    );
    expect(implicit).toMatchObject({ stage: 'tls', code: 'certificate_name_mismatch', transient: false });
    const starttls = normalizeSmtpError(
      Object.assign(new Error(`Error initiating TLS - ${text}`), { code: 'ETLS', command: 'STARTTLS' }),
      null,
      { runtime: 'node', security: 'starttls' },
    );
    expect(starttls).toMatchObject({ stage: 'tls', code: 'certificate_name_mismatch', transient: false });
    const dns = normalizeSmtpError(Object.assign(new Error('DNS lookup failed'), { code: 'ESOCKET' }), null, {
      runtime: 'workers',
      security: 'tls',
    });
    expect(dns).toMatchObject({ stage: 'connect', code: 'host_not_found' });
  });

  it('normalizes to private_address at stage connect, not retried, with German and English texts', () => {
    const e = normalizeSmtpError(Object.assign(new Error('x'), { code: 'EPRIVATEADDRESS' }), null, {
      runtime: 'node',
      security: 'starttls',
    });
    expect(e).toMatchObject({
      stage: 'connect',
      code: 'private_address',
      transient: false,
      responseCode: null,
      response: null,
    });
    const en = localizeSmtpError(e, 'en', { host: 'mail.example.test', port: 587, runtime: 'node' });
    const de = localizeSmtpError(e, 'de', { host: 'mail.example.test', port: 587, runtime: 'node' });
    expect(en.message).toMatch(/mail\.example\.test.*internal address/);
    expect(de.message).toMatch(/mail\.example\.test.*interne Adresse/);
    expect(en.hint).toMatch(/public/);
    expect(de.hint).toMatch(/öffentlichen/);
  });
});

interface Seen {
  connections: string[];
  /** Called on each connection the server sees, after it is recorded. */
  onConnection?: () => void;
  mails: { subject: string; secure: boolean; servername: string | undefined }[];
}

async function startServer(secure: boolean, seen: Seen): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    secure,
    key,
    cert,
    name: 'guard.fixture.test',
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      seen.connections.push(session.remoteAddress);
      seen.onConnection?.();
      callback();
    },
    async onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim() ?? '';
      seen.mails.push({
        subject,
        secure: Boolean(session.secure),
        servername: (session as { servername?: string }).servername,
      });
      callback();
    },
  } as SMTPServerOptions);
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: net.Server }).server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('sends with the address guard (Node)', () => {
  const seen: Seen = { connections: [], mails: [] };
  let starttlsPort = 0;
  let tlsPort = 0;
  const closers: (() => Promise<void>)[] = [];
  const defaultCAs = tls.getCACertificates('default');

  beforeAll(async () => {
    // Trust the test CA in this worker, as a public CA would be trusted in production.
    tls.setDefaultCACertificates([...defaultCAs, tlsFile('ca.pem')]);
    const plainish = await startServer(false, seen);
    const implicit = await startServer(true, seen);
    starttlsPort = plainish.port;
    tlsPort = implicit.port;
    closers.push(plainish.close, implicit.close);
  });
  afterAll(async () => {
    tls.setDefaultCACertificates(defaultCAs);
    await Promise.all(closers.map((c) => c()));
  });
  beforeEach(() => {
    seen.connections.length = 0;
    seen.mails.length = 0;
  });
  /** Connects once and waits until the server has seen that connection. */
  const probe = async (port: number): Promise<void> => {
    const arrived = new Promise<void>((resolve) => {
      seen.onConnection = resolve;
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await arrived;
    seen.onConnection = undefined;
    socket.destroy();
  };

  const FAST = { connectMs: 2_000, greetingMs: 2_000, socketMs: 2_000, totalMs: 6_000 };
  let n = 0;
  const message = (): OutgoingMessage => ({
    from: { address: 'rechnung@kunde.example.com', name: 'Kunde' },
    to: ['empfaenger@example.net'],
    subject: `guard ${++n}`,
    text: 'Hallo',
  });
  const settings = (
    host: string,
    security: SmtpSettings['security'],
    port = security === 'tls' ? tlsPort : starttlsPort,
  ): SmtpSettings => ({
    host,
    port,
    security,
    auth: { method: 'none' },
  });
  const guarded = (lookup: HostLookup, allowPrivateHosts = false, extra: Partial<SendOptions> = {}): SendOptions => ({
    runtime: 'node',
    timeouts: FAST,
    addressGuard: { allowPrivateHosts, lookup },
    ...extra,
  });

  it('refuses a public-looking name that resolves to 127.0.0.1 before connecting (sendMessage)', async () => {
    const lookup = lookupTo('127.0.0.1');
    const result = await sendMessage(settings('mail.example.test', 'starttls'), message(), guarded(lookup));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      stage: 'connect',
      code: 'private_address',
      responseCode: null,
      response: null,
      transient: false,
    });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('mail.example.test');
    expect(result.transcript.map((l) => l.line).join('\n')).toMatch(/Refused: .*internal/);
    // The transcript does not tell the tenant which internal address the name has.
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
    // A connection the send had opened would have reached the server before this probe does.
    await probe(starttlsPort);
    expect(seen.connections).toHaveLength(1);
  });

  it.each([
    [['10.0.0.5']],
    [['192.168.1.10']],
    [['169.254.169.254']],
    [['100.64.0.7']],
    [['0.0.0.0']],
    [['::1']],
    [['fd00::25']],
    [['fe80::1%lo']],
    [['::ffff:127.0.0.1']],
    [['93.184.215.14', '127.0.0.1']],
    [['2606:4700::1', '::1']],
  ])('refuses %j for STARTTLS and implicit TLS, pooled too, without any connection', async (addresses) => {
    for (const security of ['starttls', 'tls', 'none'] as const) {
      const one = await sendMessage(
        settings('mail.example.test', security),
        message(),
        guarded(lookupTo(...addresses)),
      );
      expect(one.ok ? null : one.error).toMatchObject({ stage: 'connect', code: 'private_address', transient: false });
    }
    const sender = openSender(settings('smtp.kunde.example.com', 'starttls'), {
      ...guarded(lookupTo(...addresses)),
      clientName: 'kunde.example.com',
    });
    try {
      const pooled = await sender.send(message());
      expect(pooled.ok ? null : pooled.error).toMatchObject({ stage: 'connect', code: 'private_address' });
    } finally {
      await sender.close();
    }
    expect(seen.connections).toEqual([]);
  });

  it('refuses a private name without asking DNS', async () => {
    const lookup = lookupTo('93.184.215.14');
    const result = await sendMessage(settings('localhost', 'starttls'), message(), guarded(lookup));
    expect(result.ok ? null : result.error).toMatchObject({ stage: 'connect', code: 'private_address' });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('a name that does not resolve is host_not_found (retried later)', async () => {
    const lookup = vi.fn<HostLookup>(async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    });
    const result = await sendMessage(settings('mail.example.test', 'starttls'), message(), guarded(lookup));
    expect(result.ok ? null : result.error).toMatchObject({
      stage: 'connect',
      code: 'host_not_found',
      transient: true,
    });
    const empty = await sendMessage(settings('mail.example.test', 'starttls'), message(), guarded(lookupTo()));
    expect(empty.ok ? null : empty.error).toMatchObject({ stage: 'connect', code: 'host_not_found' });
  });

  it('a resolver that never answers runs into the connect timeout', async () => {
    const lookup = vi.fn<HostLookup>(() => new Promise(() => {}));
    const result = await sendMessage(
      settings('mail.example.test', 'starttls'),
      message(),
      guarded(lookup, false, { timeouts: { ...FAST, connectMs: 200 } }),
    );
    expect(result.ok ? null : result.error).toMatchObject({
      stage: 'connect',
      code: 'connection_timeout',
      transient: true,
    });
  });

  it('lets a public address through the guard (it then just is not reachable from here)', async () => {
    // 192.0.2.1 is TEST-NET-1: public as far as the guard is concerned, nothing answers there.
    const result = await sendMessage(
      settings('mail.example.test', 'none', 25),
      message(),
      guarded(lookupTo('192.0.2.1'), false, { timeouts: { ...FAST, connectMs: 300 } }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.stage).toBe('connect');
    expect(result.error.code).not.toBe('private_address');
  });

  it('with ALLOW_PRIVATE_HOSTS connects to the resolved address, resolved once (the name itself resolves nowhere)', async () => {
    const lookup = lookupTo('127.0.0.1');
    const result = await sendMessage(settings('mail.example.test', 'none'), message(), guarded(lookup, true));
    expect(result.ok ? result.response : result.error).toMatch(/^250/);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(seen.connections).toHaveLength(1);
    expect(seen.connections[0]).toMatch(/127\.0\.0\.1$/);
  });

  it('resolves through node:dns unless a resolver is injected', async () => {
    const result = await sendMessage(settings('localhost', 'none'), message(), {
      runtime: 'node',
      timeouts: FAST,
      addressGuard: { allowPrivateHosts: true },
    });
    expect(result.ok ? result.response : result.error).toMatch(/^250/);
    const refused = await sendMessage(settings('localhost', 'none'), message(), {
      runtime: 'node',
      timeouts: FAST,
      addressGuard: { allowPrivateHosts: false },
    });
    expect(refused.ok ? null : refused.error).toMatchObject({ stage: 'connect', code: 'private_address' });
  });

  it('tries the resolved addresses in turn (an address nothing listens on, then the server)', async () => {
    const lookup = lookupTo('127.0.0.2', '127.0.0.1');
    const result = await sendMessage(settings('mail.example.test', 'none'), message(), guarded(lookup, true));
    expect(result.ok ? result.response : result.error).toMatch(/^250/);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it.each(['starttls', 'tls'] as const)(
    '%s: verifies the certificate against the NAME, not the address connected to',
    async (security) => {
      // localhost → 127.0.0.1 through the injected resolver: the certificate names localhost, so it verifies.
      const good = await sendMessage(settings('localhost', security), message(), guarded(lookupTo('127.0.0.1'), true));
      expect(good.ok ? good.response : good.error).toMatch(/^250/);
      expect(seen.mails).toEqual([
        { subject: expect.stringMatching(/^guard /), secure: true, servername: 'localhost' },
      ]);

      // mail.example.test → the same 127.0.0.1: the certificate also lists IP 127.0.0.1, so only a check
      // against the name fails here — and it must.
      const wrongName = await sendMessage(
        settings('mail.example.test', security),
        message(),
        guarded(lookupTo('127.0.0.1'), true),
      );
      expect(wrongName.ok ? null : wrongName.error).toMatchObject({ stage: 'tls', code: 'certificate_name_mismatch' });
      expect(seen.mails).toHaveLength(1);
    },
  );

  it('is not applied on Workers (no DNS API there; Cloudflare does not reach private networks)', async () => {
    const lookup = lookupTo('10.0.0.1');
    const result = await sendMessage(settings('127.0.0.1', 'none'), message(), {
      ...guarded(lookup),
      runtime: 'workers',
    });
    expect(result.ok ? result.response : result.error).toMatch(/^250/);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('without the guard (the system relay) connects by name as before', async () => {
    const result = await sendMessage(settings('127.0.0.1', 'none'), message(), { runtime: 'node', timeouts: FAST });
    expect(result.ok ? result.response : result.error).toMatch(/^250/);
  });
});
