import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * Cookie names and attributes in one place. Over https the session and CSRF cookies use the
 * `__Host-` prefix (Secure, Path=/, no Domain: no subdomain can set or shadow them).
 */
export class CookiePolicy {
  readonly secure: boolean;
  readonly session: string;
  readonly csrf: string;
  readonly reset = 'lk_reset';

  constructor(publicUrl: URL) {
    this.secure = publicUrl.protocol === 'https:';
    const prefix = this.secure ? '__Host-' : '';
    this.session = `${prefix}lk_session`;
    this.csrf = `${prefix}lk_csrf`;
  }

  sessionOptions(maxAgeSeconds?: number): CookieSerializeOptions {
    return { path: '/', httpOnly: true, secure: this.secure, sameSite: 'lax', ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) };
  }

  csrfOptions(): CookieSerializeOptions {
    return { path: '/', httpOnly: true, secure: this.secure, sameSite: 'lax' };
  }

  /** The reset token between the emailed link and the form: short-lived, only sent to /reset-password. */
  resetOptions(maxAgeSeconds: number): CookieSerializeOptions {
    return { path: '/reset-password', httpOnly: true, secure: this.secure, sameSite: 'lax', maxAge: maxAgeSeconds };
  }
}
