import type { EnvReader } from './parse.ts';
import { isLoopback } from './sms-config.ts';

/** The breached-password check (docs/production.md, "Breached passwords"). */
export interface BreachCheckSettings {
  /** PASSWORD_BREACH_CHECK: on asks HIBP_URL about every new password; off (default) asks nothing. */
  readonly enabled: boolean;
  /** HIBP_URL: the base of the range API (`{url}/range/{5 hex}`). */
  readonly url: URL;
  /** HIBP_TIMEOUT_MS: how long a new password waits for the answer before it is let through. */
  readonly timeoutMs: number;
}

export function readBreachCheckSettings(read: EnvReader): BreachCheckSettings {
  const enabled = read.oneOf('PASSWORD_BREACH_CHECK', 'off', ['off', 'on'] as const) === 'on';
  const url = read.url('HIBP_URL', 'https://api.pwnedpasswords.com', ['https:', 'http:']);
  const raw = read.raw('HIBP_URL');
  if (raw !== undefined && url.protocol === 'http:' && !isLoopback(url)) {
    read.problems.push('HIBP_URL must use https://; http:// is allowed to a loopback address only');
  } else if (raw !== undefined && (url.username || url.password || url.search || url.hash)) {
    read.problems.push('HIBP_URL must be a base URL without credentials, query or fragment, e.g. https://api.pwnedpasswords.com');
  }
  const timeoutMs = read.integer('HIBP_TIMEOUT_MS', 1500, 100, 10_000, ' ms');
  return { enabled, url, timeoutMs };
}
