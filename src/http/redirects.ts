/**
 * A `next` parameter is followed only when it is a plain path on this origin (S11): it must start
 * with one "/", must not start with "//" or "/\", and must hold no backslash, control character
 * or scheme, also once percent-decoded. Anything else falls back to "/".
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
    return resolved.pathname + resolved.search;
  } catch {
    return fallback;
  }
}
