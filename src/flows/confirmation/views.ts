import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';

export const RESEND_SENT_MESSAGE =
  'If an account with an unconfirmed address uses that email, we have sent it a new confirmation link. It can take a few minutes to arrive; check your spam folder too.';

export function resendConfirmationPage(o: {
  csrf: string;
  email?: string | undefined;
  errors?: FormErrors | undefined;
  info?: string;
}): Html {
  return layout(
    { title: 'Get a new confirmation link', failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>Enter the email address of your account and we will send a new confirmation link.</p>
<form method="post" action="/confirm/resend" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', maxLength: 254, value: o.email, autofocus: true, error: o.errors?.email })}
<button type="submit">Send confirmation link</button>
</form>
<p class="actions"><a href="/login">Back to sign in</a></p>`,
  );
}
