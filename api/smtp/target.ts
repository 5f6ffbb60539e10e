import { toAsciiDomain } from '../../contract/rules/host.ts';
import type { MailRuntime } from './types.ts';

/**
 * Field error codes of `checkTarget` (they exist in api/i18n/field-messages.ts):
 * `port_blocked` (port 25 on Workers) and `host_private` (loopback/private/link-local).
 */
export type TargetErrorCode = 'port_blocked' | 'host_private';

export interface TargetCheckOptions {
  runtime: MailRuntime;
  /** `ALLOW_PRIVATE_HOSTS=true`: local development and tests only. */
  allowPrivateHosts: boolean;
}

/**
 * Checks a host/port before connecting; null when it may be used. Anti-SSRF by name and IP
 * literal only, no DNS lookups: a public-looking name that resolves to an internal address is
 * caught on Node by the send path (`SendOptions.addressGuard`, resolve.ts).
 */
export function checkTarget(
  target: { host: string; port: number },
  options: TargetCheckOptions,
): { path: 'host' | 'port'; code: TargetErrorCode } | null {
  if (options.runtime === 'workers' && target.port === 25) return { path: 'port', code: 'port_blocked' };
  if (!options.allowPrivateHosts && isPrivateHost(target.host)) return { path: 'host', code: 'host_private' };
  return null;
}

/** True for `localhost` names and for loopback, private, link-local, unspecified IPv4/IPv6 literals. */
export function isPrivateHost(rawHost: string): boolean {
  let host = rawHost.trim().toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  // The name the connection would really use: IDNA maps e.g. full-width 'ｌｏｃａｌｈｏｓｔ' to 'localhost'.
  host = toAsciiDomain(host) ?? host;
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain') return true;
  const v4 = parseIPv4(host);
  if (v4) return isPrivateIPv4(v4);
  if (host.includes(':')) {
    const v6 = parseIPv6(host);
    return v6 ? isPrivateIPv6(v6) : false;
  }
  return false;
}

/**
 * For an address a host name resolved to: true unless it is a public unicast IP address —
 * loopback, private, carrier-grade NAT, link-local, unspecified, multicast, reserved, unique
 * local, IPv4-mapped/-compatible/NAT64/6to4 forms of those — and true for anything that is not
 * an IP address at all (fail closed).
 */
export function isPrivateAddress(rawAddress: string): boolean {
  let address = rawAddress.trim().toLowerCase();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (/^[0-9.]+$/.test(address)) {
    // Resolvers give plain dotted quads (decimal); anything else is not an address to connect to.
    const parts = address.split('.').map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
    return parts.length !== 4 || parts.some((n) => !(n <= 255)) || isPrivateIPv4(parts);
  }
  const v6 = address.includes(':') ? parseIPv6(address) : null;
  return v6 ? isPrivateIPv6(v6) : true;
}

function parseIPv4(host: string): number[] | null {
  // Also the forms inet_aton accepts (decimal, hex, octal, fewer parts), so 0x7f.1 or
  // 2130706433 cannot slip past as "not an address" while still reaching loopback.
  if (!/^[0-9a-fx.]+$/.test(host) || !/^[0-9]/.test(host)) return null;
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/.test(p)) n = parseInt(p.slice(2) || '0', 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^[0-9]+$/.test(p)) n = parseInt(p, 10);
    else return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255)) return null;
  const room = 4 - nums.length;
  if (last >= 2 ** (8 * room)) return null;
  const tail: number[] = [];
  for (let i = room - 1; i >= 0; i--) tail.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return [...nums, ...tail];
}

function isPrivateIPv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // unspecified / "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments (DS-Lite, NAT64 discovery)
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

function parseIPv6(host: string): number[] | null {
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  let tailV4: number[] | null = null;
  const lastColon = host.lastIndexOf(':');
  const maybeV4 = host.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    tailV4 = parseIPv4(maybeV4);
    if (!tailV4) return null;
    host = `${host.slice(0, lastColon + 1)}${((tailV4[0]! << 8) | tailV4[1]!).toString(16)}:${((tailV4[2]! << 8) | tailV4[3]!).toString(16)}`;
  }
  const halves = host.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const groups = [...head, ...Array(fill).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

function isPrivateIPv6(g: number[]): boolean {
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const allZeroPrefix = g.slice(0, 5).every((x) => x === 0);
  if (allZeroPrefix && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (allZeroPrefix && (g5 === 0xffff || g5 === 0)) {
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d)
    return isPrivateIPv4([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]);
  }
  if (g0 === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // local-use NAT64 64:ff9b:1::/48
  if (g0 === 0x64 && g[1] === 0xff9b) return isPrivateIPv4([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]); // NAT64
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g5 === 0)
    return isPrivateIPv4([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]); // IPv4-translated ::ffff:0:a.b.c.d
  if (g0 === 0x2002) return isPrivateIPv4([g[1]! >> 8, g[1]! & 255, g[2]! >> 8, g[2]! & 255]); // 6to4 2002:AABB:CCDD::/48
  if (g0 === 0x100 && g.slice(1, 4).every((x) => x === 0)) return true; // discard-only 100::/64
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}
