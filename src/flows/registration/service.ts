import type { UsernameMode } from '../../config/account-config.ts';
import type { Outbox } from '../../courier/outbox.ts';
import type { BreachedPasswords } from '../../crypto/passwords/breached.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import { currentLocale, expressedLocale } from '../../i18n/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { newId } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import { parseUsername, type Username } from '../../kernel/username.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { ConfirmationService } from '../confirmation/service.ts';
import type { RequestContext } from '../context.ts';
import { greetingNameOf } from '../mail-greeting.ts';

export type RegisterProblem =
  | 'EMAIL_INVALID'
  | 'NAME_INVALID'
  | PasswordProblem
  | 'RATE_LIMITED'
  | 'USERNAME_INVALID'
  | 'USERNAME_REQUIRED'
  | 'USERNAME_NOT_ALLOWED';

const NAME_PATTERN = /^[^\u0000-\u001f\u007f-\u009f]{1,100}$/u;

/**
 * Registration that does not tell who has an account (S7, S8): new and taken addresses, free and
 * taken usernames all pay for one Argon2id hash (none when no password is given, with
 * PASSWORD_OPTIONAL: for both alike), one lookup, one insert attempt and at most one queued mail,
 * and get the same answer. A new address gets a welcome mail (with the confirmation
 * link unless CONFIRM_EMAIL=off); a taken one a "you already have an account" mail sent to the
 * stored address; a free address with a taken username a "choose another username" mail. So a
 * taken username is told only to the inbox: answering it would tell whether the address has an
 * account (a taken username with a known address would answer like a free one). Never a session.
 *
 * Every registration the per-IP limit lets through spends one mail of the inbox's budget (the
 * same budget as forgot-password), so a flood of registrations sends an inbox at most a handful of
 * "you already have an account" mails an hour. A new account's one welcome mail always goes out.
 * Mails here never greet by a name typed into this form: the address is not confirmed.
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
      /** PASSWORD_OPTIONAL: a missing or empty password makes an account without one. */
      passwordOptional: boolean;
      /** PASSWORD_BREACH_CHECK: asked about every new password once the local policy passes (default: never). */
      breachedPasswords?: BreachedPasswords;
    },
  ) {}

  async register(
    input: {
      email: string;
      /** Missing or empty: an account without a password, when PASSWORD_OPTIONAL allows it. */
      password?: string | undefined;
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
    const password = input.password === undefined || input.password === '' ? undefined : input.password;
    if (password !== undefined || !this.deps.passwordOptional) {
      const problem = checkPassword(password ?? '', passwordPolicy, { email: address.canonical });
      if (problem) return fail(problem);
    }
    const limit = await limits.registerPerIp.consume(context.ip ?? 'unknown');
    if (!limit.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: limit.retryAfterSeconds };
    // Depends on the password only, asked before anything about the address is looked up.
    if (password !== undefined && (await this.deps.breachedPasswords?.isBreached(password))) return fail('PASSWORD_BREACHED');
    const inbox = await limits.forgotPerEmail.consume(limits.accountKey(address.canonical));

    const returnTo = input.returnTo === undefined ? {} : { returnTo: input.returnTo };
    // Without a password there is no hash to pay for, for a new and a taken address alike: what
    // the caller sent decides the work, never whether the address has an account.
    const passwordHash = password === undefined ? null : await hasher.hashPassword(password);
    const nowMs = clock.nowMs();
    await store.transaction(async (tx) => {
      const existing = await tx.users.findByCanonicalEmail(address.canonical);
      const id = newId();
      const user = { id, email: address.display, emailCanonical: address.canonical, name, passwordHash, nowMs };
      // A new account's first mails speak the language of the request that creates it; the account
      // stores it when the request named one (else DEFAULT_LOCALE applies later).
      const locale = currentLocale();
      const created =
        !existing &&
        (await tx.users.insertIfAbsent({ ...user, username, emailConfirmed: !confirmation.enabled, locale: expressedLocale() ?? null }));
      if (created) {
        if (confirmation.enabled) await confirmation.sendLink(tx, { id, email: address.display, locale }, context, true, input.returnTo);
        else
          await outbox.enqueue(tx.outbox, 'mail', { template: 'welcome', to: address.display, locale, data: { name: null, ...returnTo } });
        await tx.audit.record({ type: 'user.registered', userId: id, ...context, nowMs });
        return;
      }
      const owner = existing ?? (await tx.users.findByCanonicalEmail(address.canonical));
      if (!owner) {
        // The address is free but the username is not: only the inbox is told, in DEFAULT_LOCALE
        // (no account, so no language of its own).
        if (inbox.allowed) await outbox.enqueue(tx.outbox, 'mail', { template: 'username-unavailable', to: address.display, data: {} });
        await tx.audit.record({ type: 'registration.username_taken', userId: null, ...context, nowMs });
        return;
      }
      if (owner.disabled_at === null && inbox.allowed) {
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'account-exists',
          to: owner.email,
          locale: owner.locale,
          data: { name: greetingNameOf(owner), ...returnTo },
        });
      }
      await tx.audit.record({ type: 'registration.duplicate', userId: owner.id, ...context, nowMs });
    });
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
