import { safeRedirectPath } from '../http/redirects.ts';

/** The longest `return_to` kept: longer values are ignored (the default is used). */
export const RETURN_TO_MAX_LENGTH = 2048;

/**
 * Where a flow may send the browser when it is done (S11): a relative path on Latchkey, or an
 * absolute http(s) URL whose origin is in RETURN_TO_ALLOWED (PUBLIC_URL's origin always is).
 * Anything else is ignored, so the flow uses its default: scheme-relative (`//host`, `/\host`,
 * `\\host`), scheme-only (`https:host`), other schemes (`javascript:`, `data:`), credentials or
 * lookalike hosts (`https://allowed@evil`, `https://allowed.evil`), whitespace or control
 * characters anywhere, backslashes, and percent-encoded forms of all of these.
 */
export class ReturnToRule {
  private readonly origins: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.origins = new Set(allowedOrigins);
  }

  /** The value to redirect to, normalised, or undefined when it must be ignored. */
  check(value: unknown): string | undefined {
    if (typeof value !== 'string' || value.length === 0 || value.length > RETURN_TO_MAX_LENGTH) return undefined;
    // No whitespace, control character or backslash anywhere: browsers strip or rewrite them.
    if (/[\s\\\u0000-\u001f\u007f-\u009f]/u.test(value)) return undefined;
    if (value.startsWith('/')) {
      const path = safeRedirectPath(value, '');
      return path === '' ? undefined : path;
    }
    // Absolute: exactly "http://" or "https://", a host, and nothing the URL parser would repair.
    if (!/^https?:\/\/[^/?#@]+(?:[/?#]|$)/i.test(value)) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if (url.username !== '' || url.password !== '') return undefined;
    if (!this.origins.has(url.origin)) return undefined;
    return url.href;
  }

  /** The absolute URL `proto://host uri` a proxy reports, when return_to may point to it. */
  checkForwarded(proto: unknown, host: unknown, uri: unknown): string | undefined {
    if (typeof proto !== 'string' || typeof host !== 'string') return undefined;
    const path = typeof uri === 'string' && uri !== '' ? uri : '/';
    if (!/^https?$/i.test(proto) || !path.startsWith('/') || path.startsWith('//')) return undefined;
    return this.check(`${proto.toLowerCase()}://${host}${path}`);
  }
}

/** `path` with `return_to` added to its query when there is one to carry. */
export function withReturnTo(path: string, returnTo: string | undefined): string {
  if (returnTo === undefined) return path;
  return `${path}${path.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
}
