import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Result } from '../../kernel/result.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import { type RecoveryMethod, RecoveryNotStarted } from './methods.ts';

/** A reset code: 8 digits, so 5 guesses have a 1 in 20 million chance (S1, S4). */
export const RESET_CODE_DIGITS = 8;

/**
 * A reset code by mail (`code`): for people who read mail on another device than the one they
 * reset on, or whose mail scanner breaks links. Issuing revokes the user's older reset codes
 * (OneTimeCodes: only the newest counts); the code is queued in the sealed outbox with the code
 * row, in the caller's transaction, and only its keyed digest is stored (S2).
 */
export class MailCodeRecoveryMethod implements RecoveryMethod {
  readonly name = 'code' as const;

  constructor(private readonly deps: { codes: OneTimeCodes; outbox: Outbox; clock: Clock }) {}

  async start(tx: Store, user: UserRecord, context: RequestContext): Promise<void> {
    const { codes, outbox, clock } = this.deps;
    const code = await codes.issue(tx, {
      purpose: 'reset-code',
      userId: user.id,
      digits: RESET_CODE_DIGITS,
      context,
    });
    await outbox.enqueue(tx.outbox, 'mail', {
      template: 'password-reset-code',
      to: user.email,
      locale: user.locale,
      data: { name: greetingNameOf(user), code, expiresInSeconds: this.deps.codes.ttlSeconds },
    });
    await tx.audit.record({
      type: 'password_reset.requested',
      userId: user.id,
      ...context,
      nowMs: clock.nowMs(),
      detail: { method: 'code' },
    });
  }
}

/**
 * What the SMS method needs of the SMS sender (src/flows/sms/sender.ts, `SmsSender`): whether SMS
 * can be sent at all, and `sendCode`, which applies the per-number and per-account limits and the
 * country allow-list before it queues the SMS in the caller's transaction.
 */
export interface RecoverySms {
  readonly available: boolean;
  /** `locale`: the recipient account's language (users.locale), the SMS's language. */
  sendCode(tx: Store, request: { userId: string; to: string; code: string; locale: string | null }): Promise<Result<void, string>>;
}

/**
 * A reset code by SMS (`sms`) to the account's verified phone. Without a verified phone, or
 * without an SMS channel, nothing happens, silently: the request answered the same long before
 * (S7). A refused SMS (limits, country) rolls the issued code back, so a flood of SMS requests
 * cannot revoke a code the owner already has.
 */
export class SmsCodeRecoveryMethod implements RecoveryMethod {
  readonly name = 'sms' as const;

  constructor(private readonly deps: { codes: OneTimeCodes; clock: Clock; sms: RecoverySms | undefined }) {}

  available(): boolean {
    return this.deps.sms?.available ?? false;
  }

  async start(tx: Store, user: UserRecord, context: RequestContext): Promise<void> {
    const { codes, clock, sms } = this.deps;
    if (!sms?.available || user.phone === null || user.phone_verified_at === null) return;
    const code = await codes.issue(tx, {
      purpose: 'reset-code',
      userId: user.id,
      digits: RESET_CODE_DIGITS,
      context,
      targetPhone: user.phone,
    });
    const sent = await sms.sendCode(tx, { userId: user.id, to: user.phone, code, locale: user.locale });
    if (!sent.ok) throw new RecoveryNotStarted(sent.code);
    await tx.audit.record({
      type: 'password_reset.requested',
      userId: user.id,
      ...context,
      nowMs: clock.nowMs(),
      detail: { method: 'sms' },
    });
  }
}
