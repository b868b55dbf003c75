import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config/config.ts';
import { pathUnderBase } from '../config/public-url.ts';

/**
 * Cookie names and attributes in one place. Over https the session and CSRF cookies use the
 * `__Host-` prefix (Secure, Path=/, no Domain: no subdomain can set or shadow them). With
 * COOKIE_DOMAIN the session cookie is sent to every host of that domain (one sign-in covers the
 * apps on subdomains, for forward auth): it then carries `Domain` and, over https, the `__Secure-`
 * prefix instead (a `__Host-` cookie may not have a Domain). The CSRF cookie stays host-only.
 * Under a base path (PUBLIC_URL=https://example.com/auth) every cookie is scoped to it
 * (`Path=/auth`, the reset cookie `Path=/auth/reset-password`), so an application on the same
 * origin never receives them; `__Host-` demands `Path=/`, so there the names carry `__Secure-`.
 */
export class CookiePolicy {
  readonly secure: boolean;
  readonly session: string;
  readonly csrf: string;
  readonly reset = 'lk_reset';
  /** The language chosen with `?lang=` (not a secret: readable by nothing but the server anyway). */
  readonly language = 'lk_lang';
  readonly domain: string | undefined;
  private readonly basePath: string;

  /** The service's cookies, as configured (PUBLIC_URL, its path, COOKIE_DOMAIN). */
  static forConfig(config: Pick<Config, 'publicUrl' | 'cookieDomain' | 'basePath'>): CookiePolicy {
    return new CookiePolicy(config.publicUrl, { domain: config.cookieDomain, basePath: config.basePath });
  }

  constructor(publicUrl: URL, options: { domain?: string | undefined; basePath?: string } = {}) {
    this.secure = publicUrl.protocol === 'https:';
    this.domain = options.domain;
    this.basePath = options.basePath ?? '';
    const prefix = this.secure ? (this.basePath === '' ? '__Host-' : '__Secure-') : '';
    this.session = this.domain ? `${this.secure ? '__Secure-' : ''}lk_session` : `${prefix}lk_session`;
    this.csrf = `${prefix}lk_csrf`;
  }

  /** The cookie Path for an app path: `/reset-password` is `/auth/reset-password` under `/auth`. */
  path(appPath: string): string {
    return appPath === '/' ? this.basePath || '/' : pathUnderBase(this.basePath, appPath);
  }

  sessionOptions(maxAgeSeconds?: number): CookieSerializeOptions {
    return {
      path: this.path('/'),
      httpOnly: true,
      secure: this.secure,
      sameSite: 'lax',
      ...(this.domain ? { domain: this.domain } : {}),
      ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
    };
  }

  csrfOptions(): CookieSerializeOptions {
    return { path: this.path('/'), httpOnly: true, secure: this.secure, sameSite: 'lax' };
  }

  /** The language choice: a year, every page of the service. */
  languageOptions(): CookieSerializeOptions {
    return { path: this.path('/'), httpOnly: true, secure: this.secure, sameSite: 'lax', maxAge: 365 * 24 * 3600 };
  }

  /** The reset token between the emailed link and the form: short-lived, only sent to /reset-password. */
  resetOptions(maxAgeSeconds: number): CookieSerializeOptions {
    return this.linkOptions('/reset-password', maxAgeSeconds);
  }

  /** A token between an emailed link and its page: HttpOnly, short-lived, only sent to that page. */
  linkOptions(appPath: string, maxAgeSeconds: number): CookieSerializeOptions {
    return { path: this.path(appPath), httpOnly: true, secure: this.secure, sameSite: 'lax', maxAge: maxAgeSeconds };
  }
}
