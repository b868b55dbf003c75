import type { Outbox } from '../courier/outbox.ts';
import { parseEmailAddress } from '../kernel/email-address.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { Store } from '../store/store.ts';
import type { RequestContext } from './context.ts';

/**
 * The request half of every "mail me" form (forgot password, resend confirmation, forgot
 * username): the same limits and the same one queued job for every address, known or not, valid
 * or not; the courier resolves the account later (S7, S8). Limited requests are dropped silently.
 */
export async function queueMailRequest(
  deps: { limits: RateLimits; outbox: Outbox; store: Store },
  topic: 'password-reset-request' | 'confirmation-resend-request' | 'username-reminder-request',
  email: string,
  context: RequestContext,
): Promise<void> {
  const { limits, outbox, store } = deps;
  const address = parseEmailAddress(email);
  const ipDecision = await limits.forgotPerIp.consume(context.ip ?? 'unknown');
  const emailDecision = address ? await limits.forgotPerEmail.consume(limits.accountKey(address.canonical)) : { allowed: false };
  if (!address || !ipDecision.allowed || !emailDecision.allowed) return;
  await outbox.enqueue(store.outbox, topic, { emailCanonical: address.canonical, ip: context.ip, userAgent: context.userAgent });
  outbox.wake();
}
