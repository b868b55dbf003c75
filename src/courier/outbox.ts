import type { RecoveryMethodName } from '../config/account-config.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Clock } from '../kernel/clock.ts';
import { newId } from '../kernel/random.ts';
import type { OutboxRepository } from '../store/outbox-repository.ts';
import type { MailMessage } from './templates/types.ts';

/** A "mail me" request whose account is resolved later by the courier, so the request does the same work for every address (S8). */
export interface MailRequestJob {
  emailCanonical: string;
  ip: string | null;
  userAgent: string | null;
  /** Where the mailed link leads once done (checked by the S11 rule when the request came in). */
  returnTo?: string;
  /** Password reset only: how the proof is sent (RECOVERY_METHODS); absent means the link. */
  method?: RecoveryMethodName;
}

/** An SMS to send: the number in E.164 and the rendered body (src/courier/templates/sms.ts), sealed like every payload. */
export interface SmsMessage {
  to: string;
  body: string;
}

/** What can be queued: a mail to send, or a deferred job that may queue mails itself. */
export interface OutboxTopics {
  mail: MailMessage;
  'password-reset-request': MailRequestJob;
  'confirmation-resend-request': MailRequestJob;
  'username-reminder-request': MailRequestJob;
  /** "Email me a sign-in link" (flows/passwordless): the courier mails a link and a code to an existing account. */
  'login-link-request': MailRequestJob;
  sms: SmsMessage;
}
export type OutboxTopic = keyof OutboxTopics;

/**
 * Writes messages into the outbox table, sealed with AES-256-GCM (the topic is bound as
 * associated data), through whatever repository it is given: pass the transaction's one, and
 * the message commits or rolls back with the state change (ARCHITECTURE convention 7).
 */
export class Outbox {
  private wakeListener: (() => void) | undefined;

  constructor(
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  async enqueue<T extends OutboxTopic>(repository: OutboxRepository, topic: T, payload: OutboxTopics[T]): Promise<void> {
    await repository.enqueue({
      id: newId(),
      topic,
      sealedPayload: this.box.seal(JSON.stringify(payload), topic),
      nowMs: this.clock.nowMs(),
    });
  }

  open<T extends OutboxTopic>(topic: T, sealed: string): OutboxTopics[T] {
    return JSON.parse(this.box.open(sealed, topic)) as OutboxTopics[T];
  }

  /** Tells an in-process worker that new messages are committed (it also polls). */
  wake(): void {
    this.wakeListener?.();
  }

  onWake(listener: () => void): void {
    this.wakeListener = listener;
  }
}
