import { publicLink } from '../../config/public-url.ts';
import type { ReturnToRule } from '../return-to.ts';
import { withReturnTo } from '../return-to.ts';

/** The signed-in user a proxy passes on to the application. */
export interface ForwardedIdentity {
  id: string;
  email: string;
  name: string | null;
  username: string | null;
}

/** What the proxy told us about the request it is asking for (all optional, all untrusted). */
export interface OriginalRequest {
  /** nginx: `X-Original-URL: $scheme://$http_host$request_uri`. */
  originalUrl?: unknown;
  /** Traefik, Caddy: `X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-Uri`. */
  forwardedProto?: unknown;
  forwardedHost?: unknown;
  forwardedUri?: unknown;
}

/**
 * Forward auth for reverse proxies (S26): the proxy asks before every request whether the
 * browser's session cookie is valid; the answer carries the identity only in response headers,
 * which the proxy copies onto the request to the application (overwriting any the client sent).
 * The session itself is resolved by the session loader (one indexed lookup, no hashing, and a
 * touch of `last_seen_at` that keeps the idle timeout honest).
 */
export class ForwardAuth {
  constructor(private readonly deps: { publicUrl: URL; returnTo: ReturnToRule }) {}

  /** The identity headers of a 200 answer; values made header-safe by `headerValue`. */
  headersFor(user: ForwardedIdentity): Record<string, string> {
    return {
      'remote-user': headerValue(user.id),
      'remote-email': headerValue(user.email),
      ...(user.name ? { 'remote-name': headerValue(user.name) } : {}),
      ...(user.username ? { 'remote-username': headerValue(user.username) } : {}),
    };
  }

  /** The URL the proxy asked about, when `return_to` may lead back to it. */
  originalUrl(request: OriginalRequest): string | undefined {
    const { returnTo } = this.deps;
    if (request.originalUrl !== undefined) return returnTo.check(request.originalUrl);
    return returnTo.checkForwarded(firstValue(request.forwardedProto), firstValue(request.forwardedHost), request.forwardedUri);
  }

  /** Latchkey's login page, with `return_to` when the original URL is allowed. */
  loginUrl(request: OriginalRequest): string {
    return publicLink(this.deps.publicUrl, withReturnTo('/login', this.originalUrl(request)));
  }
}

/** `https,http` (a chain of proxies) -> `https`: the first proxy saw what the browser sent. */
function firstValue(value: unknown): unknown {
  return typeof value === 'string' ? value.split(',')[0]?.trim() : value;
}

/**
 * A header-safe value: printable ASCII stays as it is, every other character (non-ASCII letters,
 * CR, LF and other controls) and "%" itself become percent-encoded UTF-8 (RFC 3986). So a
 * header never breaks a line, and decoding with `decodeURIComponent` is always right: it leaves
 * plain ASCII values unchanged and restores the others ("Zoë" is sent as "Zo%C3%AB").
 */
export function headerValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
