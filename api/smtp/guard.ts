// Inside workerd a STARTTLS upgrade that fails certificate verification gives Nodemailer
// ESOCKET "internal error; reference = …" AND leaves an unhandled rejection behind: a promise
// derived inside the runtime's node:tls from the upgraded socket's `opened`, out of reach of
// JavaScript. The send has already failed with a clear error at stage `tls`; that leftover
// would otherwise be reported as an uncaught error (and fails a vitest run, whose handler
// listens on `process.on('unhandledRejection')`).
//
// The guard swallows exactly that kind of rejection, and only shortly after this engine
// started a TLS handshake: nothing else is hidden. Measured: workerd calls `process.emit(
// 'unhandledRejection')` first, then dispatches the global `unhandledrejection` event.

import nodeProcess from 'node:process';

const WINDOW_MS = 60_000;
let installed = false;
let lastTlsHandshake = Number.NEGATIVE_INFINITY;

const NOISE = /^(internal error; reference = |proxy request failed, cannot connect to the specified address)/i;

function isHandshakeLeftover(reason: unknown): boolean {
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return NOISE.test(message) && Date.now() - lastTlsHandshake < WINDOW_MS;
}

/** Called by the engine whenever it starts a TLS handshake (STARTTLS or implicit TLS). */
export function noteTlsHandshake(): void {
  lastTlsHandshake = Date.now();
}

function isWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
}

/** Idempotent; a no-op outside workerd. */
export function installSocketRejectionGuard(): void {
  if (installed || !isWorkerd()) return;
  installed = true;
  const g = globalThis as unknown as {
    addEventListener?: (type: string, listener: (event: { reason: unknown; preventDefault(): void }) => void) => void;
    process?: { emit?: (event: string | symbol, ...args: unknown[]) => boolean };
  };
  g.addEventListener?.('unhandledrejection', (event) => {
    if (isHandshakeLeftover(event.reason)) event.preventDefault();
  });
  const proc = (nodeProcess ?? g.process) as typeof g.process;
  if (proc && typeof proc.emit === 'function') {
    const emit = proc.emit;
    proc.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === 'unhandledRejection' && isHandshakeLeftover(args[0])) return true;
      return emit.call(this, event, ...args);
    };
  }
}
