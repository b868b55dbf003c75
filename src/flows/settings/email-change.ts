import type { Outbox } from '../../courier/outbox.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens, TokenProblem } from '../link-tokens.ts';
import type { RememberedDevices } from '../login/remembered-devices.ts';
import type { SessionService } from '../login/session-service.ts';
import type { LoginThrottle } from '../login/throttle.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { type PasswordCheckProblem, verifyCurrentPassword } from './password-change.ts';

export type EmailChangeRequestProblem =
  | PasswordCheckProblem
  | 'REAUTH_REQUIRED'
  | 'EMAIL_INVALID'
  | 'EMAIL_SAME_AS_CURRENT'
  | 'RATE_LIMITED';
export type EmailChangeProblem = TokenProblem | 'RATE_LIMITED' | 'EMAIL_TAKEN';

/** Carries an expected failure out of a transaction so that the transaction rolls back. */
class RollBack extends Error {
  constructor(readonly code: TokenProblem) {
    super(code);
  }
}

/**
 * Change of email address. Needs the current password with every request (a stolen session alone
 * cannot move the account). The new address gets a confirmation link; the old one is told at once,
 * with an "it was not me" link that undoes the change and secures the account; no later change of
 * credentials revokes that link. The change applies only when the new address confirms, in one
 * transaction whose first write is a conditional UPDATE guarded by the unique index: an address
 * taken meanwhile is the value EMAIL_TAKEN, never a crash. Applying it kills every outstanding
 * reset or confirm token (S6).
 */
export class EmailChangeService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      hasher: PasswordHasher;
      links: LinkTokens;
      sessions: SessionService;
      throttle: LoginThrottle;
      recovery: RecoveryService;
      rememberedDevices: RememberedDevices;
      clock: Clock;
      limits: RateLimits;
      confirmTtlSeconds: number;
      undoTtlSeconds: number;
    },
  ) {}

  /** Re-entering the password marks the session as recently authenticated. */
  async reauthenticate(
    auth: ActiveSession,
    password: string,
    context: RequestContext,
  ): Promise<Result<void, PasswordCheckProblem> & { retryAfterSeconds?: number }> {
    const verified = await verifyCurrentPassword(this.deps, { userId: auth.user.id, sessionId: auth.session.id }, password, context);
    if (!verified.ok) return verified;
    const nowMs = this.deps.clock.nowMs();
    await this.deps.store.sessions.markAuthenticated(auth.session.id, nowMs);
    await this.deps.store.audit.record({ type: 'reauthenticated', userId: auth.user.id, ...context, nowMs });
    return ok(undefined);
  }

  /**
   * Needs the current password (REAUTH_REQUIRED without one, whenever the session signed in); an
   * account without a password needs a recent authentication instead (REAUTH_REQUIRED without). The
   * same answer whether or not the new address belongs to another account (a signed-in user
   * learns nothing about other accounts): a free address gets the link, a taken one a
   * "you already have an account" note at its stored address.
   */
  async request(
    auth: ActiveSession,
    newEmail: string,
    password: string | undefined,
    context: RequestContext,
  ): Promise<Result<void, EmailChangeRequestProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, links, clock, sessions, confirmTtlSeconds, undoTtlSeconds } = this.deps;
    const caller = await store.users.findById(auth.user.id);
    if (!caller || caller.disabled_at !== null) return fail('NOT_AUTHENTICATED');
    if (caller.password_hash === null) {
      // No password to give: a recent authentication instead (a sign-in, or a code mailed to the
      // current address, which proves that inbox as well as a password would).
      if (!sessions.isRecentlyAuthenticated(auth.session)) return fail('REAUTH_REQUIRED');
    } else {
      if (password === undefined || password === '') return fail('REAUTH_REQUIRED');
      const reauth = await this.reauthenticate(auth, password, context);
      if (!reauth.ok) return reauth;
    }
    const address = parseEmailAddress(newEmail);
    if (!address) return fail('EMAIL_INVALID');
    // The per-inbox "mail me" budget (S19): a request mails the new and the old address, so
    // neither inbox gets more than a handful of these an hour, whoever asks.
    const { limits } = this.deps;
    const ownCanonical = parseEmailAddress(auth.user.email)?.canonical ?? auth.user.email;
    if (ownCanonical === address.canonical) return fail('EMAIL_SAME_AS_CURRENT');
    const decisions = [
      await limits.forgotPerEmail.consume(limits.accountKey(address.canonical)),
      await limits.forgotPerEmail.consume(limits.accountKey(ownCanonical)),
    ];
    if (decisions.some((d) => !d.allowed)) {
      return { ...fail('RATE_LIMITED'), retryAfterSeconds: Math.max(...decisions.map((d) => d.retryAfterSeconds)) };
    }
    const outcome = await store.transaction(async (tx): Promise<Result<void, 'EMAIL_SAME_AS_CURRENT' | 'NOT_AUTHENTICATED'>> => {
      const user = await tx.users.findById(auth.user.id);
      if (!user) return fail('NOT_AUTHENTICATED');
      if (user.email_canonical === address.canonical) return fail('EMAIL_SAME_AS_CURRENT');
      const owner = await tx.users.findByCanonicalEmail(address.canonical);
      if (owner) {
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'account-exists',
          to: owner.email,
          locale: owner.locale,
          data: { name: greetingNameOf(owner), reason: 'email-change' },
        });
      } else {
        const token = await links.issue(tx, {
          purpose: 'email-change',
          userId: user.id,
          ttlSeconds: confirmTtlSeconds,
          context,
          targetEmail: address.display,
        });
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'email-change-confirm',
          to: address.display,
          locale: user.locale,
          data: { name: user.name, token, expiresInSeconds: confirmTtlSeconds },
        });
      }
      const undoToken = await links.issue(tx, {
        purpose: 'email-change-undo',
        userId: user.id,
        ttlSeconds: undoTtlSeconds,
        context,
        targetEmail: user.email,
      });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'email-change-requested',
        to: user.email,
        locale: user.locale,
        data: { name: user.name, newEmail: address.display, undoToken, expiresInSeconds: undoTtlSeconds },
      });
      await tx.audit.record({ type: 'email_change.requested', userId: user.id, ...context, nowMs: clock.nowMs() });
      return ok(undefined);
    });
    if (outcome.ok) outbox.wake();
    return outcome;
  }

  checkConfirm(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    return this.deps.links.check(this.deps.store, 'email-change', token, context);
  }

  checkUndo(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    return this.deps.links.check(this.deps.store, 'email-change-undo', token, context);
  }

  /** The new address confirms: the change applies, unless the address was taken meanwhile. */
  async confirm(token: string, context: RequestContext): Promise<Result<{ userId: string; email: string }, EmailChangeProblem>> {
    const checked = await this.checkConfirm(token, context);
    if (!checked.ok) return checked;
    const { store, links, clock } = this.deps;
    const outcome = await this.inTransaction(async (tx): Promise<Result<{ userId: string; email: string }, EmailChangeProblem>> => {
      const found = await links.lookup(tx, 'email-change', token);
      if (!found.ok) return found;
      const user = await tx.users.findById(found.value.user_id);
      const target = parseEmailAddress(found.value.target_email ?? '');
      if (!user || user.disabled_at !== null || !target) return fail('TOKEN_INVALID');
      const nowMs = clock.nowMs();
      // First write of the transaction: the unique index decides a contested address.
      const changed = await tx.users.changeEmail(user.id, user.email_canonical, target, nowMs);
      if (changed === 'taken') return fail('EMAIL_TAKEN');
      if (changed === 'stale') return fail('TOKEN_USED');
      const redeemed = await links.redeem(tx, 'email-change', token);
      if (!redeemed.ok) throw new RollBack(redeemed.code);
      await tx.tokens.revokeAllForUser(user.id, nowMs, ['email-change-undo']);
      await tx.audit.record({
        type: 'email.changed',
        userId: user.id,
        ...context,
        nowMs,
        detail: { from: user.email, to: target.display },
      });
      return ok({ userId: user.id, email: target.display });
    });
    if (!outcome.ok && outcome.code === 'EMAIL_TAKEN') {
      await store.audit.record({ type: 'email_change.refused', userId: checked.value.user_id, ...context, nowMs: clock.nowMs() });
    }
    return outcome;
  }

  /**
   * "It was not me", from the mail to the old address: the owner's way back, which no credential
   * change revokes. In one transaction: puts the old address back if the change was applied,
   * clears the password (whoever moved the account may have set it), ends every session (and what
   * hooks on that, see SessionService.endAllForUser), revokes every other token but the older
   * undo links, forgets remembered devices, and sends a reset link to the restored address so that
   * the owner sets a password nobody else knows. When the old address cannot come back (another
   * account took it meanwhile), the account is disabled instead (`locked`): left at the other
   * address, whoever reads that inbox could reset their way back in; an administrator sorts it out.
   */
  async undo(token: string, context: RequestContext): Promise<Result<{ userId: string; locked: boolean }, TokenProblem | 'RATE_LIMITED'>> {
    const checked = await this.checkUndo(token, context);
    if (!checked.ok) return checked;
    const { links, clock, recovery, outbox, sessions, rememberedDevices } = this.deps;
    const outcome = await this.inTransaction(async (tx): Promise<Result<{ userId: string; locked: boolean }, TokenProblem>> => {
      const found = await links.lookup(tx, 'email-change-undo', token);
      if (!found.ok) return found;
      const user = await tx.users.findById(found.value.user_id);
      const previous = parseEmailAddress(found.value.target_email ?? '');
      if (!user || !previous) return fail('TOKEN_INVALID');
      const nowMs = clock.nowMs();
      const restored =
        user.email_canonical === previous.canonical
          ? 'unchanged'
          : await tx.users.changeEmail(user.id, user.email_canonical, previous, nowMs);
      const redeemed = await links.redeem(tx, 'email-change-undo', token);
      if (!redeemed.ok) throw new RollBack(redeemed.code);
      await tx.users.clearPassword(user.id, nowMs);
      await tx.tokens.revokeAllForUser(user.id, nowMs, ['email-change-undo']);
      await tx.tokens.revokeIssuedSince(user.id, 'email-change-undo', Number(found.value.created_at), nowMs);
      const sessionsEnded = await sessions.endAllForUser(tx, user.id, { reason: 'email-change-undone' });
      await rememberedDevices.forgetAll(tx, user.id);
      // The reset link goes only to the restored address, never to the one being undone.
      const locked = restored !== 'changed' && restored !== 'unchanged';
      if (locked) await tx.users.setDisabled(user.id, true, nowMs);
      else await recovery.issueResetLink(user.id, context, {}, tx);
      await tx.audit.record({
        type: 'email_change.undone',
        userId: user.id,
        ...context,
        nowMs,
        detail: { restored, sessionsEnded, locked },
      });
      return ok({ userId: user.id, locked });
    });
    if (outcome.ok) outbox.wake();
    return outcome;
  }

  private async inTransaction<T, C extends string>(fn: (tx: Store) => Promise<Result<T, C>>): Promise<Result<T, C | TokenProblem>> {
    try {
      const outcome = await this.deps.store.transaction(fn);
      if (outcome.ok) this.deps.outbox.wake();
      return outcome;
    } catch (error) {
      if (error instanceof RollBack) return fail(error.code);
      throw error;
    }
  }
}
