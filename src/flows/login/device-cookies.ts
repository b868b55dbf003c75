import type { CookieSerializeOptions } from '@fastify/cookie';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { CookiePolicy } from '../../http/cookies.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { RandomSource } from '../../kernel/random.ts';

/** How long a browser stays known after its last successful sign-in (one year). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/** Associated data of every sealed device cookie: no other sealed value (an outbox payload) opens as one. */
const PURPOSE = 'latchkey device cookie v1';
/** Sealed cookies are about 200 characters; anything much longer is not ours and is not opened. */
const MAX_SEALED_LENGTH = 1024;

/** What a device cookie says, once opened: whose browser it is, which cookie, since when. */
export interface DeviceCookie {
  userId: string;
  /** 128 random bits: names this cookie (and its own failure budget) apart from every other. */
  nonce: string;
  issuedAtMs: number;
}

/**
 * Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies", S29): after a
 * successful password sign-in the browser gets a cookie naming the account, sealed with AES-GCM
 * under SECRET_KEYS (SecretBox), so it can be neither read nor forged nor moved to another
 * account. A sign-in attempt that presents a valid one for the account it names is judged by that
 * cookie's own failures (see LoginThrottle), so an attacker's failures elsewhere never lock the
 * owner's known browser out. A cookie that does not open, has expired, or names another account
 * is no cookie at all: that client is untrusted, like one without.
 */
export class DeviceCookies {
  readonly maxAgeSeconds = DEVICE_COOKIE_MAX_AGE_SECONDS;

  constructor(private readonly deps: { box: SecretBox; clock: Clock; random: RandomSource }) {}

  /** A new sealed cookie value for this account's browser (a fresh nonce: a fresh budget). */
  issue(userId: string): string {
    const { box, clock, random } = this.deps;
    const content = { u: userId, n: random.bytes(16).toString('base64url'), t: clock.nowMs() };
    return box.seal(JSON.stringify(content), PURPOSE);
  }

  /** The cookie's content when it is ours, intact and not expired; otherwise undefined. */
  open(sealed: string | undefined): DeviceCookie | undefined {
    if (!sealed || sealed.length > MAX_SEALED_LENGTH) return undefined;
    let content: unknown;
    try {
      content = JSON.parse(this.deps.box.open(sealed, PURPOSE));
    } catch {
      return undefined;
    }
    const { u, n, t } = (content ?? {}) as { u?: unknown; n?: unknown; t?: unknown };
    if (typeof u !== 'string' || typeof n !== 'string' || typeof t !== 'number') return undefined;
    // Only the age is checked: a cookie from a node whose clock runs a little ahead is still good.
    const nowMs = this.deps.clock.nowMs();
    if (nowMs - t >= this.maxAgeSeconds * 1000) return undefined;
    return { userId: u, nonce: n, issuedAtMs: t };
  }
}

/**
 * The cookie's name, prefixed like the session cookie's: `__Host-` over https at the root,
 * `__Secure-` under a base path (a `__Host-` cookie must have `Path=/`), none over http.
 * Host-only, whatever COOKIE_DOMAIN says: only Latchkey's own sign-in reads it.
 */
export function deviceCookieName(policy: CookiePolicy): string {
  const prefix = policy.secure ? (policy.path('/') === '/' ? '__Host-' : '__Secure-') : '';
  return `${prefix}lk_device`;
}

/**
 * HttpOnly, Secure over https, `SameSite=Strict`: a cross-site request never carries it, so
 * another site cannot make the owner's browser spend its budget (such a request is untrusted).
 */
export function deviceCookieOptions(policy: CookiePolicy, maxAgeSeconds: number): CookieSerializeOptions {
  return { path: policy.path('/'), httpOnly: true, secure: policy.secure, sameSite: 'strict', maxAge: maxAgeSeconds };
}

/** Anything that sets a cookie on a response (a Fastify reply). */
interface CookieWriter {
  setCookie(name: string, value: string, options: CookieSerializeOptions): unknown;
}

/** Gives the browser a new device cookie for this account; called after every password sign-in. */
export function issueDeviceCookie(reply: CookieWriter, policy: CookiePolicy, devices: DeviceCookies, userId: string): void {
  reply.setCookie(deviceCookieName(policy), devices.issue(userId), deviceCookieOptions(policy, devices.maxAgeSeconds));
}
