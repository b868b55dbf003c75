import type { FastifyInstance } from 'fastify';
import { type HttpKit, sendPage } from '../http/kit.ts';
import { html } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { DevMailboxChannel } from './channels.ts';

/** /dev/mailbox: the mails the dev mailbox received, newest first. Never on in production. */
export async function devMailboxRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const channel = kit.deps.mailChannel;
  if (!(channel instanceof DevMailboxChannel) || kit.deps.config.nodeEnv === 'production') return;
  app.get('/dev/mailbox', async (_request, reply) => {
    const mails = await channel.list();
    const body = mails.length
      ? mails.map(
          (m) => html`<article class="mail"><p><strong>${m.subject}</strong><br>To: ${m.to}<br>${new Date(m.receivedAtMs).toUTCString()}</p><pre>${m.text}</pre></article>`,
        )
      : html`<p>No mail yet.</p>`;
    return sendPage(reply, layout({ title: 'Dev mailbox' }, html`<p>Development only: mails are kept here because no SMTP_URL is set.</p>${body}`));
  });
}
