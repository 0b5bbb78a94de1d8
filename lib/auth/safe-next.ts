const ORIGIN = 'http://expand-contract.invalid';
/** Longer than any path of this site with its filters; a longer `next` is not worth the doubt. */
const MAX_LENGTH = 2000;
/** Raw backslashes, controls, invisible format characters and any kind of space: a browser strips or rewrites them. */
const SUSPECT = /[\\\p{Cc}\p{Cf}\p{Z}\s]/u;
/** What may come out: printable ASCII, starting with one slash that is not followed by another or by a backslash. */
const PLAIN_PATH = /^\/(?![/\\])[!-[\]-~]*$/;
/** Layers that decode a path again (a proxy, a framework) get this many chances to find another site in it. */
const DECODINGS = 3;

/**
 * The page to go to after signing in: only a path on this site, else `/`. Parsed as a browser
 * would (against a fixed origin: `/./`, `%2e`, `..` and tabs are resolved), and the result is
 * checked again after that, because a path that normalises to `//evil.example` is a link to
 * another site. The path must also stay on this site after being percent-decoded, so
 * `/%2f/evil.example` or `/%252e//evil.example` never turn into one further down the line.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > MAX_LENGTH || !next.startsWith('/') || SUSPECT.test(next)) return '/';
  const url = sameOrigin(next);
  if (!url) return '/';
  let path = url.pathname;
  for (let i = 0; i < DECODINGS; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return '/';
    }
    if (decoded === path) break;
    if (SUSPECT.test(decoded)) return '/';
    const again = sameOrigin(decoded);
    if (!again) return '/';
    path = again.pathname;
  }
  const result = url.pathname + url.search + url.hash;
  // A fixed point: read again, the answer names the same place (so nothing is left to normalise).
  return PLAIN_PATH.test(result) && sameOrigin(result)?.href === url.href ? result : '/';
}

/** The URL a browser would make of `path` on this site, or null when it leaves the site or starts with `//`. */
function sameOrigin(path: string): URL | null {
  let url: URL;
  try {
    url = new URL(path, ORIGIN);
  } catch {
    return null;
  }
  return url.origin === ORIGIN && PLAIN_PATH.test(url.pathname) ? url : null;
}
