import net from 'node:net';
import tls from 'node:tls';
import { noteTlsHandshake } from './guard.ts';
import { fixedLookup, PrivateAddressError, resolveTarget } from './resolve.ts';
import type { SessionRecorder } from './transcript.ts';
import type { AddressGuard, ResolvedAddress } from './types.ts';

/** Where and how the socket for one SMTP session is opened. */
export interface SocketTarget {
  /** The name as DNS and certificates know it (A-labels); IP literals as they are. */
  host: string;
  /** The host as the tenant entered it, for the transcript. */
  enteredHost: string;
  port: number;
  implicitTls: boolean;
  /** Node's TLS options (pinning, capture, minimum version); absent on Workers. */
  tlsOptions: Record<PropertyKey, unknown> | undefined;
  /** Resolve once and refuse internal addresses first (Node, tenant-entered settings). */
  guard: AddressGuard | undefined;
  /** Bounds the DNS lookup (with the guard) and the TCP connect together. */
  connectMs: number;
}

type GetSocketCallback = (err: Error | null, socketOptions?: { connection: net.Socket; secured: boolean }) => void;

/** Nodemailer's `getSocket`: the connection opened by us, so every runtime connects the same way. */
export type GetSocket = (options: unknown, callback: GetSocketCallback) => void;

/**
 * A server that closes right after accepting can do so before Nodemailer attaches its own
 * 'close' listener (it does so a tick after getSocket hands the socket over); inside workerd
 * the event is then lost and the send would wait for a greeting until it times out. A 'close'
 * listener added after the socket closed is called on the next turn instead.
 */
function lateCloseListeners(socket: net.Socket): void {
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  const once = socket.once.bind(socket);
  socket.once = ((event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (closed && event === 'close') {
      setTimeout(() => listener.call(socket, false), 0);
      return socket;
    }
    return once(event as string, listener);
  }) as typeof socket.once;
}

/** Opens the socket by host NAME (SNI and certificate check against it); with addresses, only to those. */
function connectSocket(
  target: SocketTarget,
  addresses: ResolvedAddress[] | null,
  recorder: SessionRecorder,
  onReady: () => void,
): net.Socket {
  const pinned = addresses ? { lookup: fixedLookup(addresses) } : {};
  if (!target.implicitTls) {
    const socket = net.connect({ host: target.host, port: target.port, ...pinned });
    socket.once('connect', () => {
      recorder.connected = true;
      recorder.phase = 'greeting';
      onReady();
    });
    return socket;
  }
  recorder.tlsHandshake = true;
  noteTlsHandshake();
  const socket = tls.connect({
    host: target.host,
    port: target.port,
    ...(net.isIP(target.host) ? {} : { servername: target.host }),
    ...pinned,
    ...(target.tlsOptions ?? {}),
  } as tls.ConnectionOptions);
  socket.once('connect', () => {
    recorder.connected = true;
  });
  socket.once('secureConnect', () => {
    if (socket.destroyed) return; // refused by the pin check; its error follows
    recorder.connected = true;
    recorder.tlsHandshake = false;
    recorder.phase = 'greeting';
    const protocol = socket.getProtocol?.();
    recorder.info(`TLS established${protocol ? ` (${protocol})` : ''}`);
    onReady();
  });
  return socket;
}

/**
 * The socket adapter: the socket is opened here BY HOST NAME for every mode (workerd ignores
 * `servername` when Nodemailer connects by IP, and Nodemailer's own DNS lookups inside workerd
 * go over DNS-over-HTTPS). With a guard, the name is resolved once and checked first, and the
 * socket (still opened by name, so TLS verifies against it) connects only to those addresses.
 */
export function socketOpener(target: SocketTarget, recorder: SessionRecorder): GetSocket {
  return (_options, callback) => {
    recorder.phase = 'connect';
    recorder.connected = false;
    recorder.starttlsPending = false;
    recorder.info(`Connecting to ${target.enteredHost}:${target.port}${target.implicitTls ? ' (TLS)' : ''}`);
    let done = false;
    let socket: net.Socket | undefined;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.removeListener('error', onError);
      if (err) {
        socket?.destroy();
        return callback(err);
      }
      callback(null, { connection: socket as net.Socket, secured: target.implicitTls });
    };
    const onError = (err: Error) => finish(err);
    const timer = setTimeout(() => {
      finish(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }));
    }, target.connectMs);
    const open = (addresses: ResolvedAddress[] | null) => {
      try {
        socket = connectSocket(target, addresses, recorder, () => finish(null));
        socket.on('error', onError);
        lateCloseListeners(socket);
      } catch (error) {
        clearTimeout(timer);
        done = true;
        callback(error as Error);
      }
    };
    if (!target.guard) return open(null);
    resolveTarget(target.host, target.guard).then(
      (addresses) => {
        if (done) return; // timed out meanwhile
        open(addresses);
      },
      (error: Error) => {
        if (error instanceof PrivateAddressError)
          recorder.info('Refused: the host is or resolves to an internal (private, loopback or link-local) address');
        finish(error);
      },
    );
  };
}
