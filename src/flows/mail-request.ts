import type { Logger } from 'pino';
import type { MailRequestJob, Outbox } from '../courier/outbox.ts';
import { parseEmailAddress } from '../kernel/email-address.ts';
import { fail, ok, type Result } from '../kernel/result.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { Store } from '../store/store.ts';
import type { RequestContext } from './context.ts';

export interface MailRequestDeps {
  limits: RateLimits;
  outbox: Outbox;
  store: Store;
  /** Only outside production: where a request dropped by a limit is noted (info, no address). */
  devLog?: Pick<Logger, 'info'>;
}

const WHAT = {
  'password-reset-request': 'requested password reset mail',
  'confirmation-resend-request': 'requested confirmation mail',
  'username-reminder-request': 'requested username reminder mail',
  'login-link-request': 'requested sign-in link mail',
} as const;

/**
 * The request half of every "mail me" form (forgot password, resend confirmation, forgot
 * username, email me a sign-in link): the same limits and the same one queued job for every well-formed address, known or
 * not; the courier resolves the account later (S7, S8). Limited requests are dropped silently.
 * The inbox's budget is spent only by a request the per-IP limit let through: a client over its
 * own limit cannot use up someone else's mails (its requests send nothing and cost nothing).
 * Only a malformed address (which says nothing about accounts) is refused, so a typo can be fixed.
 * Outside production (`devLog`), a dropped request is logged at info level, naming the limit but
 * never the address, so a developer can tell why no mail arrived; the answer does not change.
 */
export async function queueMailRequest(
  deps: MailRequestDeps,
  topic: 'password-reset-request' | 'confirmation-resend-request' | 'username-reminder-request' | 'login-link-request',
  email: string,
  context: RequestContext,
  returnTo?: string,
  method?: MailRequestJob['method'],
): Promise<Result<void, 'EMAIL_INVALID'>> {
  const { limits, outbox, store } = deps;
  const address = parseEmailAddress(email);
  if (!address) return fail('EMAIL_INVALID');
  const ipDecision = await limits.forgotPerIp.consume(context.ip ?? 'unknown');
  if (!ipDecision.allowed) {
    deps.devLog?.info(
      { topic, limit: 'RATE_LIMIT_FORGOT_IP', retryAfterSeconds: ipDecision.retryAfterSeconds },
      `${WHAT[topic]} not sent: this client is over RATE_LIMIT_FORGOT_IP (the answer stays the same)`,
    );
    return ok(undefined);
  }
  const emailDecision = await limits.forgotPerEmail.consume(limits.accountKey(address.canonical));
  if (!emailDecision.allowed) {
    deps.devLog?.info(
      { topic, limit: 'RATE_LIMIT_FORGOT_EMAIL', retryAfterSeconds: emailDecision.retryAfterSeconds },
      `${WHAT[topic]} not sent: the address is over RATE_LIMIT_FORGOT_EMAIL (the answer stays the same)`,
    );
    return ok(undefined);
  }
  await outbox.enqueue(store.outbox, topic, {
    emailCanonical: address.canonical,
    ip: context.ip,
    userAgent: context.userAgent,
    ...(returnTo === undefined ? {} : { returnTo }),
    ...(method === undefined ? {} : { method }),
  });
  outbox.wake();
  return ok(undefined);
}
