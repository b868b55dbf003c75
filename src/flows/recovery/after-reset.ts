import type { FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, setSessionCookie } from '../../http/kit.ts';
import { t } from '../../i18n/index.ts';
import { withReturnTo } from '../return-to.ts';

/**
 * With AUTO_LOGIN_AFTER_RESET, a fresh session after a completed reset (the reset ended every old
 * one), unless the user has a second factor: LoginService.signInAfterReset refuses, and the user
 * signs in on the login page (S17). The same for a link and a code. Returns the signed-in user.
 */
async function signInAfterReset(kit: HttpKit, request: FastifyRequest, reply: FastifyReply, userId: string) {
  if (!kit.deps.config.account.autoLoginAfterReset) return undefined;
  const signedIn = await kit.deps.login.signInAfterReset(userId, requestContext(request));
  if (!signedIn.ok) return undefined;
  await kit.deps.sessions.revoke(request.cookies[kit.cookies.session]);
  setSessionCookie(kit, reply, signedIn.value.session);
  return signedIn.value.user;
}

/** The API's answer to a completed reset, by link or by code. */
export async function apiResetDone(kit: HttpKit, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const user = await signInAfterReset(kit, request, reply, userId);
  if (user) return reply.send({ message: t('recovery.api.doneSignedIn'), user });
  return reply.send({ message: t('recovery.api.done') });
}

/** The pages' answer to a completed reset: the login page with a notice, or signed in to `returnTo` or the account page. */
export async function pageResetDone(
  kit: HttpKit,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  returnTo: string | undefined,
) {
  const user = await signInAfterReset(kit, request, reply, userId);
  if (user) return reply.redirect(returnTo ?? '/?notice=signed-in-after-reset', 303);
  return reply.redirect(withReturnTo('/login?notice=password-reset', returnTo), 303);
}
