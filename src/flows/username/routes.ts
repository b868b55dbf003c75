import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { Csrf, Email, strictObject } from '../../http/schemas.ts';
import { ERROR_CODES } from '../../kernel/errors.ts';
import { html } from '../../views/html.ts';
import { csrfField, field, layout, notice } from '../../views/layout.ts';

export const USERNAME_SENT_MESSAGE =
  'If an account with a username uses that address, we have sent the username to it. It can take a few minutes to arrive; check your spam folder too.';

/** "Forgot username" (only when USERNAMES is not off): one generic answer for every address. */
export async function usernameRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { usernameReminder, config } = kit.deps;
  if (config.account.usernames === 'off') return;

  app.post('/api/username/forgot', { schema: { body: strictObject({ email: Email }) } }, async (request, reply) => {
    const result = await usernameReminder.requestReminder((request.body as { email: string }).email, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(202).send({ message: USERNAME_SENT_MESSAGE });
  });

  const page = (csrf: string, info?: string, error?: string) =>
    layout(
      { title: 'Forgot your username?' },
      html`${notice('error', error)}${notice('info', info)}
<p>Enter the email address of your account and we will send you its username.</p>
<form method="post" action="/forgot-username" novalidate>
${csrfField(csrf)}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', maxLength: 254, autofocus: true })}
<button type="submit">Send my username</button>
</form>
<p class="actions"><a href="/login">Back to sign in</a></p>`,
    );

  app.get('/forgot-username', async (request, reply) => sendPage(reply, page(kit.csrf.tokenFor(request, reply))));

  app.post(
    '/forgot-username',
    { schema: { body: strictObject({ _csrf: Csrf, email: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      const result = await usernameReminder.requestReminder((request.body as { email: string }).email, requestContext(request));
      const csrf = kit.csrf.tokenFor(request, reply);
      if (!result.ok) return sendPage(reply, page(csrf, undefined, ERROR_CODES[result.code].message), 400);
      return sendPage(reply, page(csrf, USERNAME_SENT_MESSAGE));
    },
  );
}
