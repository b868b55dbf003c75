import type { CookieSerializeOptions } from '@fastify/cookie';
import type { CookiePolicy } from '../../http/cookies.ts';
import { REMEMBER_DEVICE_SECONDS } from './remember-device.ts';
import { PENDING_LOGIN_SECONDS } from './second-step-port.ts';

/**
 * The two cookies of the second step, named and scoped like the CSRF cookie of the CookiePolicy:
 * `__Host-` over https at the root (`__Secure-` under a base path), host-only (never COOKIE_DOMAIN:
 * only this service reads them), the session cookie's path, HttpOnly, SameSite=Lax, Secure over
 * https. The pending one lives 5 minutes; the remembered-device one 30 days.
 */
export class SecondStepCookies {
  readonly pending: string;
  readonly remember: string;

  constructor(private readonly policy: CookiePolicy) {
    const prefix = policy.csrf.slice(0, policy.csrf.length - 'lk_csrf'.length);
    this.pending = `${prefix}lk_mfa_pending`;
    this.remember = `${prefix}lk_mfa_device`;
  }

  pendingOptions(maxAgeSeconds = PENDING_LOGIN_SECONDS): CookieSerializeOptions {
    return { ...this.policy.csrfOptions(), maxAge: maxAgeSeconds };
  }

  rememberOptions(maxAgeSeconds = REMEMBER_DEVICE_SECONDS): CookieSerializeOptions {
    return { ...this.policy.csrfOptions(), maxAge: maxAgeSeconds };
  }
}
