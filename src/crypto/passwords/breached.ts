import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { normalisePassword } from './policy.ts';

/**
 * Whether a new password appeared in a known data breach (PASSWORD_BREACH_CHECK). Only for
 * passwords being chosen, never at sign-in. Answers false whenever it cannot tell: a user is
 * never blocked because the breach service is down.
 */
export interface BreachedPasswords {
  isBreached(password: string): Promise<boolean>;
}

/** PASSWORD_BREACH_CHECK=off: nothing leaves the server. */
export const noBreachCheck: BreachedPasswords = { isBreached: async () => false };

/**
 * The SHA-1 of the password as the hasher sees it (NFKC), upper-case hex, split into the
 * 5-character prefix that is sent and the 35-character suffix that is compared locally.
 */
export function rangeKey(password: string): { prefix: string; suffix: string } {
  const hex = createHash('sha1').update(normalisePassword(password), 'utf8').digest('hex').toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/**
 * How often `suffix` appears in a range answer (`SUFFIX:COUNT` lines). Padding lines
 * (`Add-Padding: true`) have count 0 and so never count; malformed lines are skipped.
 */
export function breachCount(body: string, suffix: string): number {
  const wanted = suffix.toUpperCase();
  for (const line of body.split(/\r?\n/)) {
    const match = /^([0-9A-Fa-f]{35}):(\d+)\s*$/.exec(line.trim());
    if (match && match[1]?.toUpperCase() === wanted) return Number(match[2]);
  }
  return 0;
}

/**
 * The Have I Been Pwned range API (k-anonymity): `GET {url}/range/{5 hex}` with
 * `Add-Padding: true`, the answer compared here. A timeout, a network error or a non-200
 * answer lets the password through and logs one warning (never the password or its hash).
 */
export class HibpBreachedPasswords implements BreachedPasswords {
  private readonly base: string;

  constructor(private readonly options: { url: URL; timeoutMs: number; logger: Logger }) {
    this.base = options.url.href.replace(/\/+$/, '');
  }

  async isBreached(password: string): Promise<boolean> {
    const { prefix, suffix } = rangeKey(password);
    const started = Date.now();
    try {
      const response = await fetch(`${this.base}/range/${prefix}`, {
        headers: { 'Add-Padding': 'true', 'User-Agent': 'Latchkey' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        this.warn(`answered ${response.status}`, started);
        return false;
      }
      return breachCount(await response.text(), suffix) > 0;
    } catch (error) {
      const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timed out' : 'unreachable';
      this.warn(reason, started);
      return false;
    }
  }

  private warn(reason: string, started: number): void {
    this.options.logger.warn(
      { reason, elapsedMs: Date.now() - started },
      'password breach check skipped: the breach service could not be asked; the password was accepted',
    );
  }
}
