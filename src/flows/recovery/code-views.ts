import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, fieldProblem, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { durationText } from '../inbox/views.ts';
import { withReturnTo } from '../return-to.ts';
import { RESET_CODE_DIGITS } from './code-methods.ts';

/** What the code page says to everyone who arrives, known address or not (S7). */
export function codeSentMessage(ttlSeconds: number): string {
  return t('recovery.code.sent', { digits: String(RESET_CODE_DIGITS), duration: durationText(ttlSeconds) });
}

/**
 * The reset-by-code form: address (prefilled after "forgot password"), the code and the new
 * password on one page, with the password rules shown. The code field lets phones offer the code
 * from an SMS or mail (`autocomplete="one-time-code"`) and shows a digit keyboard.
 */
export function resetCodePage(o: {
  csrf: string;
  minLength: number;
  /** PASSWORD_BREACH_CHECK=on, for the rules shown under the new password. */
  breachCheck?: boolean;
  maxLength: number;
  /** CODE_TTL, told to the user. */
  ttlSeconds: number;
  email?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
  returnTo?: string | undefined;
}): Html {
  const hasEmail = o.email !== undefined && o.email !== '';
  return layout(
    { title: t('recovery.code.title'), failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<p>${t('recovery.code.intro', { digits: String(RESET_CODE_DIGITS), duration: durationText(o.ttlSeconds) })}</p>
<form method="post" action="${withReturnTo('/reset/code', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('recovery.code.email'), type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, autofocus: !hasEmail, error: o.errors?.email })}
<label for="code">${t('recovery.code.code')}</label>
${fieldProblem('code', o.errors?.code).message}<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]*" maxlength="16" required${fieldProblem('code', o.errors?.code).attributes}${hasEmail && !o.errors ? html` autofocus` : ''}>
${field({ name: 'password', label: t('recovery.reset.password'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, hint: passwordRulesHint(o), error: o.errors?.password })}
${field({ name: 'password_confirm', label: t('recovery.reset.passwordAgain'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password_confirm })}
<button type="submit">${t('recovery.reset.submit')}</button>
</form>
<p class="actions"><a href="${withReturnTo('/forgot-password', o.returnTo)}">${t('recovery.code.sendNew')}</a></p>`,
  );
}
