import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { RequestContext } from '../context.ts';
import type { SessionService } from './session-service.ts';

export interface SignedIn {
  user: { id: string; email: string; name: string | null };
  sessionToken: string;
}

export type LoginProblem = 'INVALID_CREDENTIALS' | 'RATE_LIMITED';

/**
 * Password login. Unknown, disabled and password-less accounts verify a dummy hash, so every
 * failure costs one Argon2id verification and gives the same answer (S7, S8, S14).
 */
export class LoginService {
  constructor(
    private readonly deps: {
      store: Store;
      hasher: PasswordHasher;
      sessions: SessionService;
      limits: RateLimits;
      clock: Clock;
    },
  ) {}

  async login(
    email: string,
    password: string,
    context: RequestContext,
  ): Promise<Result<SignedIn, LoginProblem> & { retryAfterSeconds?: number }> {
    const { store, hasher, sessions, limits, clock } = this.deps;
    const address = parseEmailAddress(email);
    const accountKey = limits.accountKey(address?.canonical ?? email.trim().toLowerCase());
    const ip = await limits.loginPerIp.consume(context.ip ?? 'unknown');
    const account = await limits.loginPerAccount.check(accountKey);
    if (!ip.allowed || !account.allowed) {
      return { ...fail('RATE_LIMITED'), retryAfterSeconds: Math.max(ip.retryAfterSeconds, account.retryAfterSeconds) };
    }

    const user = address ? await store.users.findByCanonicalEmail(address.canonical) : undefined;
    const usable = user && user.disabled_at === null && user.password_hash !== null ? user : undefined;
    let verified = false;
    if (usable) verified = await hasher.verifyPassword(usable.password_hash as string, password);
    else await hasher.verifyDummy(password);

    const nowMs = clock.nowMs();
    if (!usable || !verified) {
      await limits.loginPerAccount.consume(accountKey);
      await store.audit.record({ type: 'login.failed', userId: user?.id ?? null, ...context, nowMs });
      return fail('INVALID_CREDENTIALS');
    }

    const currentHash = usable.password_hash as string;
    if (hasher.needsRehash(currentHash)) {
      await store.users.upgradePasswordHash(usable.id, currentHash, await hasher.hashPassword(password), nowMs);
    }
    const sessionToken = await store.transaction(async (tx) => {
      const token = await sessions.create(usable.id, context, tx);
      await tx.audit.record({ type: 'login.succeeded', userId: usable.id, ...context, nowMs });
      return token;
    });
    await limits.loginPerAccount.reset(accountKey);
    return ok({ user: { id: usable.id, email: usable.email, name: usable.name }, sessionToken });
  }
}
