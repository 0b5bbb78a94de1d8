/**
 * Only a path on this site: `next=https://evil.example`, `//evil.example` or `/%09/evil.example`
 * (browsers drop the tab) must not redirect away. Parsed as a browser would, against a fixed origin.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/')) return '/';
  try {
    const url = new URL(next, 'http://expand-contract.invalid');
    return url.origin === 'http://expand-contract.invalid' ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
}
