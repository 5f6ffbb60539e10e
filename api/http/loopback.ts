/**
 * Whether a URL host name (as `new URL(…).hostname` gives it) names this machine: `localhost` and
 * its subdomains (RFC 6761), 127.0.0.0/8 and [::1]. A DNS-rebound name (`evil.example` pointed at
 * 127.0.0.1) keeps its own name, so it never passes.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
