import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';

/** What "forgot username" answers, the same for every address (S7). */
export function usernameSentMessage(): string {
  return t('username.sent');
}

/** "Forgot your username?": the address only; problems at the field, the typed address kept. */
export function forgotUsernamePage(o: {
  csrf: string;
  email?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
}): Html {
  return layout(
    { title: t('username.title'), failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>${t('username.intro')}</p>
<form method="post" action="/forgot-username" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('username.email'), type: 'email', autocomplete: 'email', maxLength: 254, value: o.email, autofocus: true, error: o.errors?.email })}
<button type="submit">${t('username.submit')}</button>
</form>
<p class="actions"><a href="/login">${t('username.back')}</a></p>`,
  );
}
