import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * Cookie names and attributes in one place. Over https the session and CSRF cookies use the
 * `__Host-` prefix (Secure, Path=/, no Domain: no subdomain can set or shadow them). With
 * COOKIE_DOMAIN the session cookie is sent to every host of that domain (one sign-in covers the
 * apps on subdomains, for forward auth): it then carries `Domain` and, over https, the `__Secure-`
 * prefix instead (a `__Host-` cookie may not have a Domain). The CSRF cookie stays host-only.
 */
export class CookiePolicy {
  readonly secure: boolean;
  readonly session: string;
  readonly csrf: string;
  readonly reset = 'lk_reset';
  readonly domain: string | undefined;

  constructor(publicUrl: URL, options: { domain?: string | undefined } = {}) {
    this.secure = publicUrl.protocol === 'https:';
    this.domain = options.domain;
    const prefix = this.secure ? '__Host-' : '';
    this.session = this.domain ? `${this.secure ? '__Secure-' : ''}lk_session` : `${prefix}lk_session`;
    this.csrf = `${prefix}lk_csrf`;
  }

  sessionOptions(maxAgeSeconds?: number): CookieSerializeOptions {
    return {
      path: '/',
      httpOnly: true,
      secure: this.secure,
      sameSite: 'lax',
      ...(this.domain ? { domain: this.domain } : {}),
      ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
    };
  }

  csrfOptions(): CookieSerializeOptions {
    return { path: '/', httpOnly: true, secure: this.secure, sameSite: 'lax' };
  }

  /** The reset token between the emailed link and the form: short-lived, only sent to /reset-password. */
  resetOptions(maxAgeSeconds: number): CookieSerializeOptions {
    return { path: '/reset-password', httpOnly: true, secure: this.secure, sameSite: 'lax', maxAge: maxAgeSeconds };
  }
}
