// Node runtime only: "always trust the server certificate" is implemented as pinning the
// certificate's SHA-256 fingerprint seen at test time. Nodemailer opens the STARTTLS socket
// itself (`tls.connect({ socket, ...options.tls })`), so the check is a hook carried in the
// `tls` options and run by a thin wrapper around `tls.connect` before the TLS socket is used:
// a wrong certificate is refused before EHLO or AUTH travel over it.
// Never used inside workerd (certificate checks cannot be customised there).

import tls from 'node:tls';

export const TLS_HOOK_KEY = 'mailServerSettingsSocketHook';

/** Returns an error to refuse the connection, or null to go on. */
export type TlsSocketHook = (socket: tls.TLSSocket) => Error | null;

let patched = false;

/** Upper-case hex without separators. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

export function registerTlsSocketHook(hook: TlsSocketHook): Record<string, unknown> {
  patchTlsConnect();
  return { [TLS_HOOK_KEY]: hook };
}

function patchTlsConnect(): void {
  if (patched) return;
  patched = true;
  const original = tls.connect;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const options = args.find((a) => a !== null && typeof a === 'object') as Record<string, unknown> | undefined;
    const hook = options?.[TLS_HOOK_KEY] as TlsSocketHook | undefined;
    if (typeof hook !== 'function') return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
    const callbackIndex = args.findIndex((a) => typeof a === 'function');
    const callback = callbackIndex >= 0 ? (args[callbackIndex] as () => void) : undefined;
    let socket: tls.TLSSocket;
    const onSecure = function (this: tls.TLSSocket) {
      const error = hook(socket);
      if (error) {
        socket.destroy(error);
        return;
      }
      callback?.call(this);
    };
    if (callbackIndex >= 0) args[callbackIndex] = onSecure;
    else args.push(onSecure);
    socket = (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
    return socket;
  };
  (tls as unknown as { connect: typeof wrapped }).connect = wrapped;
}
