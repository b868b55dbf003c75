import type { UsernameMode } from '../../config/account-config.ts';
import type { Outbox } from '../../courier/outbox.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { newId } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import { parseUsername, type Username } from '../../kernel/username.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { ConfirmationService } from '../confirmation/service.ts';
import type { RequestContext } from '../context.ts';

export type RegisterProblem =
  | 'EMAIL_INVALID'
  | 'NAME_INVALID'
  | PasswordProblem
  | 'RATE_LIMITED'
  | 'USERNAME_INVALID'
  | 'USERNAME_REQUIRED'
  | 'USERNAME_NOT_ALLOWED'
  | 'USERNAME_TAKEN';

const NAME_PATTERN = /^[^\u0000-\u001f\u007f-\u009f]{1,100}$/u;

/**
 * Registration that does not tell who has an account (S7, S8): new and taken addresses both pay
 * for one Argon2id hash, one lookup, one insert attempt and one queued mail, and get the same
 * answer. A new address gets a welcome mail (with the confirmation link unless CONFIRM_EMAIL=off);
 * a taken one a "you already have an account" mail sent to the stored address. Never a session.
 * A taken username is said plainly: usernames are public names, addresses are not.
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
      confirmation: ConfirmationService;
      usernames: UsernameMode;
    },
  ) {}

  async register(
    input: {
      email: string;
      password: string;
      name?: string | undefined;
      username?: string | undefined;
      /** Where the mailed links lead once signed in (already checked by the S11 rule). */
      returnTo?: string | undefined;
    },
    context: RequestContext,
  ): Promise<Result<void, RegisterProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, hasher, clock, limits, passwordPolicy, confirmation } = this.deps;
    const address = parseEmailAddress(input.email);
    if (!address) return fail('EMAIL_INVALID');
    const name = input.name?.trim() || null;
    if (name !== null && !NAME_PATTERN.test(name)) return fail('NAME_INVALID');
    const username = this.readUsername(input.username);
    if (username !== null && typeof username === 'string') return fail(username);
    const problem = checkPassword(input.password, passwordPolicy, { email: address.canonical });
    if (problem) return fail(problem);
    const limit = await limits.registerPerIp.consume(context.ip ?? 'unknown');
    if (!limit.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: limit.retryAfterSeconds };

    const returnTo = input.returnTo === undefined ? {} : { returnTo: input.returnTo };
    const passwordHash = await hasher.hashPassword(input.password);
    const nowMs = clock.nowMs();
    const outcome = await store.transaction(async (tx): Promise<Result<void, 'USERNAME_TAKEN'>> => {
      const existing = await tx.users.findByCanonicalEmail(address.canonical);
      const id = newId();
      const user = { id, email: address.display, emailCanonical: address.canonical, name, passwordHash, nowMs };
      const created = !existing && (await tx.users.insertIfAbsent({ ...user, username, emailConfirmed: !confirmation.enabled }));
      if (created) {
        if (confirmation.enabled) await confirmation.sendLink(tx, { id, email: address.display, name }, context, true, input.returnTo);
        else await outbox.enqueue(tx.outbox, 'mail', { template: 'welcome', to: address.display, data: { name, ...returnTo } });
        await tx.audit.record({ type: 'user.registered', userId: id, ...context, nowMs });
        return ok(undefined);
      }
      const owner = existing ?? (await tx.users.findByCanonicalEmail(address.canonical));
      if (!owner) return fail('USERNAME_TAKEN');
      if (owner.disabled_at === null) {
        await outbox.enqueue(tx.outbox, 'mail', { template: 'account-exists', to: owner.email, data: { name: owner.name, ...returnTo } });
      }
      await tx.audit.record({ type: 'registration.duplicate', userId: owner.id, ...context, nowMs });
      return ok(undefined);
    });
    if (!outcome.ok) return outcome;
    outbox.wake();
    return ok(undefined);
  }

  /** The username to store, null for none, or the problem with it (USERNAMES setting). */
  private readUsername(input: string | undefined): Username | null | RegisterProblem {
    const given = input?.trim() ? input : undefined;
    if (this.deps.usernames === 'off') return given === undefined ? null : 'USERNAME_NOT_ALLOWED';
    if (given === undefined) return this.deps.usernames === 'required' ? 'USERNAME_REQUIRED' : null;
    return parseUsername(given) ?? 'USERNAME_INVALID';
  }
}
