// Host names, IP literals and e-mail addresses as the API accepts them: pure predicates, no imports
// but Punycode decoding.
import { decodePunycode } from './punycode.ts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * An `xn--` label must decode to a name with a non-ASCII character that encodes back to the same label
 * (UTS #46's check); the runtimes' URL parsers skip it, so `xn--zz` would pass on one and not another.
 */
function isValidALabel(label: string): boolean {
  if (!label.startsWith('xn--')) return true;
  const unicode = decodePunycode(label.slice(4));
  if (unicode === null || !/[^\x00-\x7f]/.test(unicode)) return false;
  try {
    return new URL(`http://${unicode}/`).hostname === label;
  } catch {
    return false;
  }
}

/** Converts a (possibly internationalised) domain to its ASCII form, or null when it is not one. */
export function toAsciiDomain(domain: string): string | null {
  if (!domain || domain.length > 253 || /[\s/\\?#@:%[\]]/.test(domain)) return null;
  let ascii: string;
  try {
    // The URL parser applies IDNA (UTS #46) in browsers, Node and workerd alike.
    ascii = new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  const labels = ascii.split('.');
  if (ascii.length > 253 || labels.length < 1 || !labels.every((label) => LABEL.test(label) && isValidALabel(label)))
    return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return null; // an all-numeric TLD is an IPv4 typo
  return ascii;
}

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(value: string): boolean {
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (!inner.includes(':') || !/^[0-9a-fA-F:.]+$/.test(inner)) return false;
  try {
    return new URL(`http://[${inner}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** A host name (IDN allowed) or an IPv4/IPv6 literal. */
export function isHost(value: string): boolean {
  if (isIPv4(value) || isIPv6(value)) return true;
  // Judged in the form DNS sees: an ideographic full stop (`smtp。example。com`) is a dot there.
  const ascii = toAsciiDomain(value);
  return ascii !== null && (ascii.includes('.') || ascii === 'localhost');
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** An addr-spec with an ASCII local part and a domain that may be internationalised. */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || value.length > 254) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  const ascii = toAsciiDomain(domain);
  return ascii?.includes('.') ?? false;
}
