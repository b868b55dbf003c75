import type { FastifyReply } from 'fastify';
import { t } from '../../i18n/index.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { ReauthService } from './service.ts';

/** The "Confirm it is you" page, coming back to `next` (an app path) once done. */
export function confirmPath(next: string): string {
  return `/account/confirm?next=${encodeURIComponent(next)}`;
}

/** REAUTH_REQUIRED's message for an account without a password (it has none to enter again), in the current language. */
export function reauthWithoutPasswordMessage(): string {
  return t('reauth.withoutPassword');
}

/** The same message in English, for callers not yet speaking the request's language: use reauthWithoutPasswordMessage(). */
export const REAUTH_WITHOUT_PASSWORD_MESSAGE =
  'For your security, confirm it is you again: ask for a code by email (POST /api/reauthenticate/code) and send it to POST /api/reauthenticate, or use a passkey.';

/**
 * For the pages of changes that need a recent authentication. An account without a password has
 * no password to type into the form, so when its session is not recent it is sent to "Confirm it
 * is you" (303) and comes back to `next`; true when it was sent there. Accounts with a password
 * keep the password field their pages show.
 */
export async function confirmFirstIfNoPassword(
  reauth: ReauthService,
  auth: ActiveSession,
  reply: FastifyReply,
  next: string,
): Promise<boolean> {
  if (reauth.isRecent(auth) || (await reauth.hasPassword(auth.user.id))) return false;
  reply.redirect(confirmPath(next), 303);
  return true;
}
