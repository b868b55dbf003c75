import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { newId } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { RequestContext } from '../context.ts';

export type RegisterProblem = 'EMAIL_INVALID' | 'NAME_INVALID' | PasswordProblem | 'RATE_LIMITED';

const NAME_PATTERN = /^[^\u0000-\u001f\u007f-\u009f]{1,100}$/u;

/**
 * Registration that does not tell who has an account (S7, S8): new and taken addresses both pay
 * for one Argon2id hash, one lookup, one insert attempt and one queued mail, and get the same
 * answer. A new address gets a welcome mail; a taken one a "you already have an account" mail
 * sent to the stored address. Never a session.
 */
export class RegistrationService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      hasher: PasswordHasher;
      clock: Clock;
      limits: RateLimits;
      passwordPolicy: PasswordPolicy;
    },
  ) {}

  async register(
    input: { email: string; password: string; name?: string | undefined },
    context: RequestContext,
  ): Promise<Result<void, RegisterProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, hasher, clock, limits, passwordPolicy } = this.deps;
    const address = parseEmailAddress(input.email);
    if (!address) return fail('EMAIL_INVALID');
    const name = input.name?.trim() || null;
    if (name !== null && !NAME_PATTERN.test(name)) return fail('NAME_INVALID');
    const problem = checkPassword(input.password, passwordPolicy, { email: address.canonical });
    if (problem) return fail(problem);
    const limit = await limits.registerPerIp.consume(context.ip ?? 'unknown');
    if (!limit.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: limit.retryAfterSeconds };

    const passwordHash = await hasher.hashPassword(input.password);
    const nowMs = clock.nowMs();
    await store.transaction(async (tx) => {
      const existing = await tx.users.findByCanonicalEmail(address.canonical);
      const id = newId();
      const created =
        !existing &&
        (await tx.users.insertIfAbsent({ id, email: address.display, emailCanonical: address.canonical, name, passwordHash, nowMs }));
      if (created) {
        await outbox.enqueue(tx.outbox, 'mail', { template: 'welcome', to: address.display, data: { name } });
        await tx.audit.record({ type: 'user.registered', userId: id, ...context, nowMs });
        return;
      }
      const owner = existing ?? (await tx.users.findByCanonicalEmail(address.canonical));
      if (owner && owner.disabled_at === null) {
        await outbox.enqueue(tx.outbox, 'mail', { template: 'account-exists', to: owner.email, data: { name: owner.name } });
      }
      await tx.audit.record({ type: 'registration.duplicate', userId: owner?.id ?? null, ...context, nowMs });
    });
    outbox.wake();
    return ok(undefined);
  }
}
