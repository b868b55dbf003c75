import type { MailRequestJob } from '../../courier/outbox.ts';
import type { Result } from '../../kernel/result.ts';
import type { RequestContext } from '../context.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import { type MailRequestDeps, queueMailRequest } from '../mail-request.ts';

/** "Forgot username": the same answer and queued work for every address; the courier mails the username. */
export class UsernameReminderService {
  constructor(private readonly deps: MailRequestDeps) {}

  requestReminder(email: string, context: RequestContext): Promise<Result<void, 'EMAIL_INVALID'>> {
    return queueMailRequest(this.deps, 'username-reminder-request', email, context);
  }

  /** Courier job: an enabled account with a username gets it by mail, at its stored address. */
  async handleReminderRequest(job: MailRequestJob): Promise<void> {
    const { store, outbox } = this.deps;
    const user = await store.users.findByCanonicalEmail(job.emailCanonical);
    if (!user || user.disabled_at !== null || user.username === null) return;
    await outbox.enqueue(store.outbox, 'mail', {
      template: 'username-reminder',
      to: user.email,
      locale: user.locale,
      data: { name: greetingNameOf(user), username: user.username },
    });
    outbox.wake();
  }
}
