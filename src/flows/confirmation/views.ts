import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';

/** What "send it again" answers, the same for every address (S7). */
export function resendSentMessage(): string {
  return t('confirmation.resent');
}

export function resendConfirmationPage(o: {
  csrf: string;
  email?: string | undefined;
  errors?: FormErrors | undefined;
  info?: string;
}): Html {
  return layout(
    { title: t('confirmation.resend.title'), failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>${t('confirmation.resend.intro')}</p>
<form method="post" action="/confirm/resend" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('confirmation.resend.email'), type: 'email', autocomplete: 'email', maxLength: 254, value: o.email, autofocus: true, error: o.errors?.email })}
<button type="submit">${t('confirmation.resend.submit')}</button>
</form>
<p class="actions"><a href="/login">${t('confirmation.resend.back')}</a></p>`,
  );
}
