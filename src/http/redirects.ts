/**
 * A `next` parameter is followed only when it is a plain path on this origin (S11): it must start
 * with one "/", hold no backslash or control character (also once percent-decoded), and, resolved
 * against a base URL, keep that base's origin and have a path that does not start with "//" or
 * "/\" (`/.//evil.example` resolves to the path `//evil.example`, which a browser reads as another
 * host). Anything else falls back to `fallback`.
 */
export function safeRedirectPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 512) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  // The same checks on the path decoded once: `/%2F%2Fevil.com` or `/%5Cevil.com` become
  // `//evil.com` or `/\evil.com` in any proxy or framework that decodes before redirecting.
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(next.split('?')[0] as string);
  } catch {
    return fallback;
  }
  if (decodedPath.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(decodedPath)) return fallback;
  try {
    const base = new URL('http://latchkey.invalid');
    const resolved = new URL(next, base);
    if (resolved.origin !== base.origin) return fallback;
    if (isAmbiguousPath(resolved.pathname)) return fallback;
    // Decoded dot segments (`/%2e%2e/`) are resolved by some proxies: check that reading too.
    if (isAmbiguousPath(new URL(decodedPath, base).pathname)) return fallback;
    return resolved.pathname + resolved.search;
  } catch {
    return fallback;
  }
}

/** A path a browser would read as the start of another host: `//host` or `/\host`. */
function isAmbiguousPath(pathname: string): boolean {
  return pathname.startsWith('//') || pathname.startsWith('/\\') || /^\/%5c/i.test(pathname) || /^\/%2f/i.test(pathname);
}
