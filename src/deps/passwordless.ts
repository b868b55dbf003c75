import type { Config } from '../config/config.ts';
import type { Outbox } from '../courier/outbox.ts';
import type { OneTimeCodes } from '../flows/codes/one-time-codes.ts';
import type { LinkTokens } from '../flows/link-tokens.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import type { MailRequestDeps } from '../flows/mail-request.ts';
import type { SecondStepPort } from '../flows/mfa/second-step-port.ts';
import { PasswordlessService, SIGNIN_PROOFS } from '../flows/passwordless/service.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { Store } from '../store/store.ts';

/**
 * Sign-in by a mailed link or code (PASSWORDLESS). Sign-in links and codes are tokens, so every
 * credential change (reset, password change, email change) already revokes them; the hook below
 * makes every other "end all sessions" (sign out everywhere, admin disable or revoke, an undone
 * email change) revoke the live ones too, in the same transaction.
 */
export function createPasswordlessDeps(o: {
  config: Config;
  store: Store;
  outbox: Outbox;
  links: LinkTokens;
  codes: OneTimeCodes;
  clock: Clock;
  limits: RateLimits;
  /** Outside production: notes a request dropped by a limit (no address). */
  devLog?: MailRequestDeps['devLog'];
  sessions: SessionService;
  secondStep: SecondStepPort;
}): PasswordlessService {
  const { sessions, clock } = o;
  sessions.onEndAll(async (tx, userId) => {
    await tx.tokens.revokeLive(userId, SIGNIN_PROOFS, clock.nowMs());
  });
  return new PasswordlessService({
    store: o.store,
    outbox: o.outbox,
    links: o.links,
    codes: o.codes,
    clock,
    limits: o.limits,
    devLog: o.devLog,
    sessions,
    secondStep: o.secondStep,
    enabled: o.config.account.passwordless === 'on',
  });
}
