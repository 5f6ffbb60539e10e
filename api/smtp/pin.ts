// Node runtime only: "always trust the server certificate" is implemented as pinning the
// SHA-256 fingerprint of the certificate the tenant confirmed. Nodemailer opens the STARTTLS socket
// itself (`tls.connect({ socket, ...options.tls })`), so the check is a hook carried in the
// `tls` options and run by a thin wrapper around `tls.connect` before the TLS socket is used:
// a wrong certificate is refused before EHLO or AUTH travel over it.
// Never used inside workerd (certificate checks cannot be customised there).

import tls from 'node:tls';
import type { CertificateInfo } from '../../contract/index.ts';
import { normalizeFingerprint } from '../../contract/rules/certificate.ts';

export const TLS_HOOK_KEY = 'mailServerSettingsSocketHook';

/** Returns an error to refuse the connection, or null to go on. */
export type TlsSocketHook = (socket: tls.TLSSocket) => Error | null;

let patched = false;

/** The peer's certificate as the tenant is shown it; undefined when the server presented none. */
export function certificateInfo(socket: tls.TLSSocket): CertificateInfo | undefined {
  const x509 = socket.getPeerX509Certificate();
  if (!x509) return undefined;
  const names = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
  return {
    sha256: normalizeFingerprint(x509.fingerprint256),
    subject: names(x509.subject),
    issuer: names(x509.issuer),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
  };
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
