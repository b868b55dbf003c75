import type { RecoveryMethodName } from '../../config/account-config.ts';
import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens } from '../link-tokens.ts';
import { greetingNameOf } from '../mail-greeting.ts';

export interface RecoveryStartOptions {
  /** The account was just created by an administrator: the mail invites rather than resets. */
  invited?: boolean;
  /** Where the reset link leads once the password is set (checked by the S11 rule). */
  returnTo?: string;
}

/**
 * One way to prove control of the account and start a recovery: an emailed link (`link`, here),
 * a code by mail (`code`) or by SMS (`sms`, code-methods.ts). RecoveryService only ever calls
 * `start`, inside the transaction it hands over; a method with nothing to send (no verified phone)
 * simply returns, and one whose message was refused throws RecoveryNotStarted so that nothing it
 * wrote commits.
 */
export interface RecoveryMethod {
  readonly name: RecoveryMethodName;
  start(tx: Store, user: UserRecord, context: RequestContext, options: RecoveryStartOptions): Promise<void>;
  /** Whether the method can send anything at all (SMS without a channel cannot); absent means yes. */
  available?(): boolean;
}

/** Thrown by a method inside the start transaction when its message was refused: everything it wrote rolls back. */
export class RecoveryNotStarted extends Error {
  constructor(readonly reason: string) {
    super(`recovery not started: ${reason}`);
    this.name = 'RecoveryNotStarted';
  }
}

/** The emailed reset link: a token (S1-S3, S5) and its mail, queued in the same transaction. */
export class LinkRecoveryMethod implements RecoveryMethod {
  readonly name = 'link' as const;

  constructor(private readonly deps: { links: LinkTokens; outbox: Outbox; clock: Clock; ttlSeconds: number; inviteTtlSeconds?: number }) {}

  async start(tx: Store, user: UserRecord, context: RequestContext, options: RecoveryStartOptions): Promise<void> {
    const { links, outbox, clock } = this.deps;
    // An invitation (`latchkey users create`) has its own mail and lifetime (INVITE_TTL): the
    // person may read it days later; the link still works once only.
    const ttlSeconds = options.invited ? (this.deps.inviteTtlSeconds ?? this.deps.ttlSeconds) : this.deps.ttlSeconds;
    const token = await links.issue(tx, { purpose: 'password-reset', userId: user.id, ttlSeconds, context });
    const data = { name: greetingNameOf(user), token, expiresInSeconds: ttlSeconds };
    await outbox.enqueue(
      tx.outbox,
      'mail',
      options.invited
        ? { template: 'account-invite', to: user.email, locale: user.locale, data }
        : {
            template: 'password-reset',
            to: user.email,
            locale: user.locale,
            data: { ...data, ...(options.returnTo === undefined ? {} : { returnTo: options.returnTo }) },
          },
    );
    await tx.audit.record({ type: 'password_reset.requested', userId: user.id, ...context, nowMs: clock.nowMs() });
  }
}
