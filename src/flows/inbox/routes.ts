import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SecretBox } from '../../crypto/secret-box.ts';
import { type HttpKit, sendPage } from '../../http/kit.ts';
import { checkInboxPage, type InboxNote, type InboxReason } from './views.ts';

const COOKIE = 'lk_inbox';
const PATH = '/check-inbox';
/** Long enough to read the page and reload it; the address never sits in a URL or a log. */
const NOTE_MAX_AGE_SECONDS = 15 * 60;
const REASONS: readonly InboxReason[] = ['register', 'forgot', 'resend'];
const AAD = 'check-inbox';

/**
 * After a form that sends mail: a 303 to "check your inbox" (a reload does not post again). The
 * typed address rides in a sealed, HttpOnly cookie sent only to that page (AES-GCM under the
 * server key: neither readable nor forgeable), never in the URL.
 */
export function redirectToInbox(kit: HttpKit, reply: FastifyReply, note: InboxNote): FastifyReply {
  const box = new SecretBox(kit.deps.keyring);
  const expiresAtMs = kit.deps.clock.nowMs() + NOTE_MAX_AGE_SECONDS * 1000;
  const sealed = box.seal(JSON.stringify({ e: note.email.trim(), r: note.reason, t: note.returnTo, x: expiresAtMs }), AAD);
  reply.setCookie(COOKIE, sealed, kit.cookies.linkOptions(PATH, NOTE_MAX_AGE_SECONDS));
  return reply.redirect(PATH, 303);
}

/** The note the cookie carries, if it opens under our keys and has not expired. */
function noteOf(kit: HttpKit, request: FastifyRequest): InboxNote | undefined {
  const sealed = request.cookies[COOKIE];
  if (!sealed || sealed.length > 4096) return undefined;
  try {
    const value = JSON.parse(new SecretBox(kit.deps.keyring).open(sealed, AAD)) as { e?: unknown; r?: unknown; t?: unknown; x?: unknown };
    if (typeof value.e !== 'string' || !REASONS.includes(value.r as InboxReason)) return undefined;
    if (typeof value.x !== 'number' || value.x <= kit.deps.clock.nowMs()) return undefined;
    return { email: value.e, reason: value.r as InboxReason, returnTo: typeof value.t === 'string' ? value.t : undefined };
  } catch {
    return undefined;
  }
}

export async function checkInboxRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { config } = kit.deps;
  app.get(PATH, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      checkInboxPage({
        csrf: kit.csrf.tokenFor(request, reply),
        note: noteOf(kit, request),
        confirmation: config.account.confirmEmail !== 'off',
        resetLinkSeconds: config.resetTokenTtlSeconds,
      }),
    );
  });
}
