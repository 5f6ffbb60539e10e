// Anti-SSRF for host names (Node runtime). `checkTarget` / `isPrivateHost` only see the name the
// tenant typed; `mail.example.com` may still resolve to 127.0.0.1, 10.0.0.5 or 169.254.169.254.
// So a send with `SendOptions.addressGuard` (tenant-entered settings) resolves the name ONCE,
// refuses it when ANY address is not public unicast, and then connects to exactly the addresses
// it checked (a `lookup` that answers from them), so a second DNS answer cannot switch the
// connection to an internal address between check and connect (DNS rebinding). The socket keeps
// the NAME as its host and SNI/servername, so the certificate is verified against the name, also
// after STARTTLS (Nodemailer upgrades with `host`/`servername` = the settings' host name).
//
// Workers: not applied. There is no DNS API to ask (only DNS-over-HTTPS, which this engine does
// not use), and `connect()` goes through Cloudflare's network, which does not reach private
// networks in production. Local `wrangler dev` / workerd does reach loopback and the LAN, which is
// what ALLOW_PRIVATE_HOSTS=true is for there.

import net from 'node:net';
import { isPrivateAddress, isPrivateHost } from './target.ts';
import type { AddressGuard, HostLookup, ResolvedAddress } from './types.ts';

/** Thrown (internally) when the host is, or resolves to, a private/loopback/link-local address. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor() {
    super('The host is or resolves to a loopback, private, link-local or otherwise internal address');
  }
}

const notFound = (host: string) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });

/** node:dns `lookup(host, { all: true })`, in the resolver's own order (loaded only when used: Node). */
export const systemLookup: HostLookup = async (hostname) => {
  const dns = await import('node:dns/promises');
  return dns.lookup(hostname, { all: true, order: 'verbatim' });
};

/**
 * Resolves `host` once. Refuses (PrivateAddressError) a private name or IP literal, or a name any
 * of whose addresses is not public, unless `allowPrivateHosts`. Returns the addresses to connect to.
 */
export async function resolveTarget(host: string, guard: AddressGuard): Promise<ResolvedAddress[]> {
  if (!guard.allowPrivateHosts && isPrivateHost(host)) throw new PrivateAddressError();
  const resolved = await (guard.lookup ?? systemLookup)(host);
  const addresses = resolved
    .map((a) => ({ address: a.address, family: net.isIP(a.address) || a.family }))
    .filter((a) => a.address);
  if (addresses.length === 0) throw notFound(host);
  if (!guard.allowPrivateHosts && addresses.some((a) => isPrivateAddress(a.address))) throw new PrivateAddressError();
  return addresses;
}

type LookupCallback = (
  err: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/**
 * A `lookup` for net.connect / tls.connect that answers from addresses already resolved and
 * checked: no second DNS query, so the connection goes where the check looked.
 */
export function fixedLookup(addresses: ResolvedAddress[]) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string } | number | undefined,
    callback: LookupCallback,
  ): void => {
    const opts = typeof options === 'object' && options ? options : { family: options };
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family) || 0;
    const list = family ? addresses.filter((a) => a.family === family) : addresses;
    setImmediate(() => {
      if (list.length === 0) return callback(notFound(hostname), opts.all ? [] : '', family || 4);
      if (opts.all)
        return callback(
          null,
          list.map((a) => ({ address: a.address, family: a.family })),
        );
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
