import type { FastifyInstance } from 'fastify';
import { sendError } from '../http/error-handler.ts';
import { type HttpKit, sendPage, timeFormatOf } from '../http/kit.ts';
import { isLoopbackAddress } from '../http/loopback.ts';
import { t } from '../i18n/index.ts';
import { html } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { timeElement } from '../views/time.ts';
import { DevMailboxChannel } from './channels.ts';
import { DevSmsBoxChannel } from './sms-devbox.ts';

/**
 * /dev/mailbox: the mails the dev mailbox and the SMS the dev SMS box received, newest first,
 * each in its own section. There when either box is in use (no SMTP_URL, or no SMS_URL). Never
 * on in production, and served only to clients on this machine: the page lists every reset and
 * confirmation link, so anyone else reaching it could take over any account. "This machine" is
 * judged from the socket's own address, never from X-Forwarded-For or TRUST_PROXY (a header
 * anyone can send); other clients get 404 NOT_FOUND, as if there were no mailbox.
 */
export async function devMailboxRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  if (kit.deps.config.nodeEnv === 'production') return;
  const mailbox = kit.deps.mailChannel instanceof DevMailboxChannel ? kit.deps.mailChannel : undefined;
  const smsBox = kit.deps.smsChannel instanceof DevSmsBoxChannel ? kit.deps.smsChannel : undefined;
  if (!mailbox && !smsBox) return;
  // Its own encapsulated scope: the hook guards every route under /dev/mailbox and nothing else.
  await app.register(async (box) => {
    box.addHook('onRequest', async (request, reply) => {
      if (!isLoopbackAddress(request.socket.remoteAddress)) return sendError(request, reply, 'NOT_FOUND');
    });
    registerMailboxPage(box, kit, mailbox, smsBox);
  });
}

function registerMailboxPage(
  app: FastifyInstance,
  kit: HttpKit,
  mailbox: DevMailboxChannel | undefined,
  smsBox: DevSmsBoxChannel | undefined,
): void {
  app.get('/dev/mailbox', async (request, reply) => {
    const times = timeFormatOf(kit, request);
    const sections = [];
    if (mailbox) {
      const mails = await mailbox.list();
      const body = mails.length
        ? mails.map(
            (m) =>
              html`<article class="mail"><p><strong>${m.subject}</strong><br>${t('devbox.to', { to: m.to })}<br>${timeElement(m.receivedAtMs, times)}</p><pre>${m.text}</pre></article>`,
          )
        : html`<p>${t('devbox.mail.none')}</p>`;
      sections.push(
        html`<section><h2>${t('devbox.mail.heading')}</h2><p>${t('devbox.mail.intro', { setting: 'SMTP_URL' })}</p>${body}</section>`,
      );
    }
    if (smsBox) {
      const messages = await smsBox.list();
      const body = messages.length
        ? messages.map(
            (m) =>
              html`<article class="sms"><p>${t('devbox.to', { to: m.to })}<br>${timeElement(m.receivedAtMs, times)}</p><pre>${m.body}</pre></article>`,
          )
        : html`<p>${t('devbox.sms.none')}</p>`;
      sections.push(
        html`<section><h2>${t('devbox.sms.heading')}</h2><p>${t('devbox.sms.intro', { setting: 'SMS_URL' })}</p>${body}</section>`,
      );
    }
    return sendPage(reply, layout({ title: t('devbox.title') }, html`${sections}`));
  });
}
