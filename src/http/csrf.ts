import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Keyring } from '../crypto/keyring.ts';
import { AppError } from '../kernel/errors.ts';
import type { CookiePolicy } from './cookies.ts';

/**
 * CSRF for HTML forms (S12): a random HttpOnly cookie, and in each form a field holding the
 * HMAC of that cookie under the server key. A cross-site page can neither read the cookie nor
 * compute the field. Checked in constant time, before any form is processed.
 */
export class CsrfGuard {
  constructor(
    private readonly keyring: Keyring,
    private readonly cookies: CookiePolicy,
  ) {}

  /** The value for the form's hidden `_csrf` field; sets the cookie if the browser has none. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let secret = request.cookies[this.cookies.csrf];
    if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
      secret = randomBytes(32).toString('base64url');
      reply.setCookie(this.cookies.csrf, secret, this.cookies.csrfOptions());
      request.cookies[this.cookies.csrf] = secret;
    }
    return this.keyring.hmac('csrf', secret);
  }

  /**
   * A new CSRF secret whenever the session changes (sign-in, sign-out, session rotation): a
   * token known before the change, say one planted in a shared browser, is worth nothing after.
   * Pages rendered later in the same request use the new one.
   */
  rotate(request: FastifyRequest, reply: FastifyReply): void {
    const secret = randomBytes(32).toString('base64url');
    reply.setCookie(this.cookies.csrf, secret, this.cookies.csrfOptions());
    request.cookies[this.cookies.csrf] = secret;
  }

  verify(request: FastifyRequest): void {
    const secret = request.cookies[this.cookies.csrf];
    const body = request.body as Record<string, unknown> | undefined;
    const field = body?._csrf;
    if (!secret || typeof field !== 'string' || !this.keyring.verifyHmac('csrf', secret, field)) {
      throw new AppError('CSRF_FAILED');
    }
  }
}
