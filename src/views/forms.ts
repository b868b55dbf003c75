import { t } from '../i18n/index.ts';
import { type ErrorCode, errorMessage } from '../kernel/errors.ts';
import { escapeHtml, Html, html } from './html.ts';
import { type FieldOptions, field as plainField } from './layout.ts';

/**
 * Problems with a submitted form, in the order the form shows its fields: field name → what to
 * do about it. The key FORM_PROBLEM holds a problem with the form as a whole (it expired, too
 * many attempts...), listed in the summary without a link.
 */
export type FormErrors = Readonly<Record<string, string>>;

export const FORM_PROBLEM = '_form';

/** What an expired or missing CSRF token answers: the form again, renewed, with this on top. */
export function formExpiredMessage(): string {
  return t('form.expired');
}

export function hasErrors(errors: FormErrors | undefined): errors is FormErrors {
  return errors !== undefined && Object.keys(errors).length > 0;
}

/** One problem for the form as a whole (no field to tie it to), or none for an empty message. */
export function formProblem(message: string | undefined): FormErrors | undefined {
  return message ? { [FORM_PROBLEM]: message } : undefined;
}

/** The field an error code is about, by its name: EMAIL_* → email, PASSWORD_* → password, ... */
const CODE_FIELDS: readonly [RegExp, string][] = [
  [/^CURRENT_PASSWORD_/, 'current_password'],
  [/^PASSWORD_/, 'password'],
  [/^EMAIL_/, 'email'],
  [/^USERNAME_/, 'username'],
  [/^NAME_/, 'name'],
  [/^(CODE_|OTP_)/, 'code'],
];

/**
 * A flow's answer as form errors: tied to the field its code is about when the form has that
 * field (`fields`, optionally renaming: `{ password: 'new_password' }`), else to the form.
 */
export function errorsForCode(
  code: ErrorCode,
  message: string = errorMessage(code),
  fields: readonly string[] | Readonly<Record<string, string>> = [],
): FormErrors {
  const known = Array.isArray(fields) ? Object.fromEntries(fields.map((f) => [f, f])) : (fields as Record<string, string>);
  for (const [pattern, name] of CODE_FIELDS) {
    if (pattern.test(code) && known[name]) return { [known[name] as string]: message };
  }
  return { [FORM_PROBLEM]: message };
}

/**
 * The error summary on top of a form: every problem, each a link to its field. It takes the
 * focus on load without any script (`autofocus` on a `tabindex="-1"` element), so a screen
 * reader announces it and a keyboard user starts from it.
 */
export function errorSummary(errors: FormErrors | undefined): Html {
  if (!hasErrors(errors)) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t('form.problemHeading')}</h2>
<ul>
${Object.entries(errors).map(([name, message]) => (name === FORM_PROBLEM ? html`<li>${message}</li>\n` : html`<li><a href="#${name}">${message}</a></li>\n`))}</ul>
</div>`;
}

/**
 * A labelled input (layout's field) with its problem, if any, tied to it: the message between
 * label and input, `aria-invalid="true"`, and the message's id first in `aria-describedby`.
 */
export function field(o: FieldOptions & { error?: string | undefined }): Html {
  const base = plainField(o.error ? { ...o, autofocus: false } : o);
  if (!o.error) return base;
  const errorId = `${o.name}-error`;
  const start = base.value.indexOf(`<input id="${escapeHtml(o.name)}"`);
  const end = base.value.indexOf('>', start);
  if (start < 0 || end < 0) return base;
  let input = base.value.slice(start, end);
  input = input.includes(' aria-describedby="')
    ? input.replace(' aria-describedby="', ` aria-describedby="${errorId} `)
    : `${input} aria-describedby="${errorId}"`;
  input = input.replace('<input ', '<input aria-invalid="true" ');
  const { message } = fieldProblem(o.name, o.error);
  return new Html(base.value.slice(0, start) + message.value + input + base.value.slice(end));
}

/**
 * For an input written by hand (a code field): its problem's message, to put before the input, and
 * the attributes that tie the two, to put in the tag. Both empty without a problem.
 */
export function fieldProblem(name: string, error: string | undefined): { message: Html; attributes: Html } {
  if (!error) return { message: html``, attributes: html`` };
  return {
    message: html`<span id="${name}-error" class="field-error"><span class="visually-hidden">${t('form.errorPrefix')} </span>${error}</span>\n`,
    attributes: html` aria-invalid="true" aria-describedby="${name}-error"`,
  };
}

/** The typed values a form may show again: strings only, never a password, code, token or CSRF value. */
export function keptValues(body: unknown): Record<string, string> {
  const kept: Record<string, string> = {};
  if (!body || typeof body !== 'object') return kept;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value !== 'string' || /password|code|token|secret|^_/i.test(name)) continue;
    kept[name] = value;
  }
  return kept;
}
