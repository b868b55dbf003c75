/** Hosts for which `http` redirect URIs are allowed (RFC 8252 7.3: loopback only). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why a redirect URI is refused, or undefined when it is acceptable. Acceptable: an absolute
 * `https` URL, or `http` on a loopback host; no fragment, no user name or password, no spaces
 * or control characters. The string is kept exactly as given (redirect URIs are compared as exact
 * strings), so it must already be in the form the URL parser would keep.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length === 0) return 'it is empty';
  if (uri.length > 2000) return 'it is longer than 2000 characters';
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return 'it contains spaces or control characters';
  if (uri.includes('#')) return 'it has a fragment (#...)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'it is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'it carries a user name or password';
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return 'http is only allowed for 127.0.0.1, [::1] and localhost; use https';
  } else if (url.protocol !== 'https:') {
    return `the scheme ${url.protocol} is not allowed; use https`;
  }
  // What the parser would rewrite (case, default port, dot segments, backslashes) would never match exactly.
  if (url.href !== uri && url.href !== `${uri}/`) return `it is not in canonical form (did you mean ${url.href}?)`;
  return undefined;
}
