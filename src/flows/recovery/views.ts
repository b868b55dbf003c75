import type { RecoveryMethodName } from '../../config/account-config.ts';
import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { withReturnTo } from '../return-to.ts';

/** What "forgot password" answers through the API, the same for every address (S7). */
export function forgotSentMessage(): string {
  return t('recovery.forgot.sent');
}

/** How each recovery method is offered on the forgot-password page: its catalogue key. */
const METHOD_LABELS: Record<RecoveryMethodName, string> = {
  link: 'recovery.method.link',
  code: 'recovery.method.code',
  sms: 'recovery.method.sms',
};

/**
 * returnTo (checked by the S11 rule) is kept in the form, the mailed link and the links back.
 * `methods`: the recovery methods offered (RECOVERY_METHODS that can send); with more than one
 * the user chooses, the link (or the first) checked.
 */
export function forgotPasswordPage(o: {
  csrf: string;
  methods: readonly RecoveryMethodName[];
  method?: RecoveryMethodName | undefined;
  email?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string;
  returnTo?: string | undefined;
}): Html {
  const chosen = o.method ?? (o.methods.includes('link') ? 'link' : o.methods[0]);
  const choice =
    o.methods.length > 1
      ? html`<fieldset id="method"><legend>${t('recovery.forgot.sendMe')}</legend>
${o.errors?.method ? html`<span id="method-error" class="field-error">${o.errors.method}</span>` : ''}
${o.methods.map((name) => html`<p class="check"><label><input type="radio" name="method" value="${name}"${name === chosen ? html` checked` : ''}${o.errors?.method ? html` aria-invalid="true" aria-describedby="method-error"` : ''}> ${t(METHOD_LABELS[name])}</label></p>`)}
</fieldset>`
      : o.methods.length === 1 && chosen !== 'link'
        ? html`<input type="hidden" name="method" value="${chosen}">`
        : html``;
  const what = o.methods.length > 1 ? 'both' : chosen === 'link' ? 'link' : 'code';
  return layout(
    { title: t('recovery.forgot.title'), failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>${t('recovery.forgot.intro', { what })}</p>
<form method="post" action="${withReturnTo('/forgot-password', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('recovery.forgot.email'), type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, autofocus: true, error: o.errors?.email })}
${choice}
<button type="submit">${t('recovery.forgot.submit', { what })}</button>
</form>
${o.methods.some((name) => name !== 'link') ? html`<p class="actions"><a href="${withReturnTo('/reset/code', o.returnTo)}">${t('recovery.forgot.haveCode')}</a></p>` : ''}
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">${t('recovery.forgot.back')}</a></p>`,
  );
}

export function resetPasswordPage(o: {
  csrf: string;
  minLength: number;
  /** PASSWORD_BREACH_CHECK=on, for the rules shown under the new password. */
  breachCheck?: boolean;
  maxLength: number;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  returnTo?: string | undefined;
}): Html {
  return layout(
    { title: t('recovery.reset.title'), failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<form method="post" action="${withReturnTo('/reset-password', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'password', label: t('recovery.reset.password'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, autofocus: true, error: o.errors?.password, hint: passwordRulesHint(o) })}
${field({ name: 'password_confirm', label: t('recovery.reset.passwordAgain'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password_confirm })}
<button type="submit">${t('recovery.reset.submit')}</button>
</form>`,
  );
}

/** A link that cannot be used: says why, and offers to send a new one. */
export function resetLinkProblemPage(o: { title: string; message: string }): Html {
  return layout(
    { title: o.title },
    html`${notice('error', o.message)}
<form method="get" action="/forgot-password"><button type="submit">${t('recovery.linkProblem.requestNew')}</button></form>`,
  );
}
