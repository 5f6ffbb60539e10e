/** The domain of an address (after the last `@`); the whole value when it has none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : address;
}

/** A domain as lower-case A-label (`Müller.Example` → `xn--mller-kva.example`); null when it is no host name. */
export function asciiDomain(domain: string): string | null {
  try {
    return new URL(`http://${domain.trim()}/`).hostname || null;
  } catch {
    return null;
  }
}
