import { currentLocale, languageHref, offeredLocales, t } from '../i18n/index.ts';
import { LOCALE_NAMES, PSEUDO_LOCALE, textDirection } from '../i18n/locales.ts';
import { Html, html } from './html.ts';

export interface PageOptions {
  title: string;
  /** Signed-in user, for the header. */
  user?: { email: string; name: string | null } | undefined;
  /** CSRF value, needed for the logout button in the header. */
  csrf?: string | undefined;
  /**
   * Our own same-origin scripts the page loads (`defer`), for progressive enhancement only: the
   * page works without them. Such a page is a ScriptedPage, which sendPage serves with a CSP
   * that allows same-origin scripts.
   */
  scripts?: readonly string[] | undefined;
  /** The page answers a form with problems: its `<title>` starts with "Error: ". */
  failed?: boolean | undefined;
  /**
   * Where the language menu's links lead instead of this page (the error page: the start page,
   * so a refused address reads exactly like an unknown one in every part of the page).
   */
  languagePath?: string | undefined;
}

/**
 * The "show password" buttons (progressive enhancement): every page with a password field loads
 * it, so it needs no declaring; without it the fields are ordinary password fields.
 */
export const PASSWORD_TOGGLE_SCRIPT = '/assets/password-toggle.js';

/**
 * A page that loads our own scripts (see PageOptions.scripts). `fetches`: its scripts call our
 * JSON API (the passkey buttons); the password toggle alone needs no fetch.
 */
export class ScriptedPage extends Html {
  constructor(
    value: string,
    readonly fetches: boolean,
  ) {
    super(value);
  }
}

/**
 * The one page shell: local stylesheet only, no script unless asked for, readable on a phone.
 * The brand (BRAND_NAME, BRAND_LOGO, the stylesheets after ours) is put in by views/brand.ts,
 * which replaces the product name in `<title>` and the header, and adds links after style.css.
 */
export function layout(options: PageOptions, body: Html): Html {
  const scripts = [...(options.scripts ?? [])];
  if (body.value.includes('type="password"')) scripts.push(PASSWORD_TOGGLE_SCRIPT);
  const nav = options.user
    ? html`<span class="who">${options.user.name ?? options.user.email}</span>
        ${options.csrf ? html`<form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${options.csrf}"><button type="submit" class="link">${t('layout.signOut')}</button></form>` : ''}`
    : html`<a href="/login">${t('layout.signIn')}</a> <a href="/register">${t('layout.createAccount')}</a>`;
  const locale = currentLocale();
  const page = html`<!doctype html>
<html lang="${locale}" dir="${textDirection(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.failed ? t('layout.errorTitle', { title: options.title }) : options.title} · Latchkey</title>
<link rel="stylesheet" href="/assets/style.css">
${scripts.map((src) => html`<script src="${src}" defer></script>\n`)}</head>
<body>
<header><a href="/" class="brand">Latchkey</a><nav>${nav}</nav></header>
<main>
<h1>${options.title}</h1>
${body}
</main>
${languageMenu(locale, options.languagePath)}</body>
</html>`;
  return scripts.length > 0 ? new ScriptedPage(page.value, (options.scripts ?? []).length > 0) : page;
}

/** Links to the page in every offered language, each named in itself; none with one language. */
function languageMenu(current: string, path: string | undefined): Html {
  const locales = offeredLocales().filter((locale) => locale !== PSEUDO_LOCALE || current === PSEUDO_LOCALE);
  if (locales.length < 2) return html``;
  return html`<footer><nav aria-label="${t('layout.languages')}"><ul class="languages">
${locales.map((locale) =>
  locale === current
    ? html`<li><a href="${languageHref(locale, path)}" lang="${locale}" hreflang="${locale}" aria-current="true">${LOCALE_NAMES[locale] ?? locale}</a></li>
`
    : html`<li><a href="${languageHref(locale, path)}" lang="${locale}" hreflang="${locale}">${LOCALE_NAMES[locale] ?? locale}</a></li>
`,
)}</ul></nav></footer>
`;
}

export function notice(kind: 'error' | 'info', message: string | undefined): Html {
  if (!message) return html``;
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export interface FieldOptions {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string | undefined;
  required?: boolean;
  hint?: string | undefined;
  minLength?: number | undefined;
  maxLength?: number | undefined;
  autofocus?: boolean;
}

/** A labelled input with the right autocomplete value, so password managers do the right thing. */
export function field(o: FieldOptions): Html {
  const hintId = o.hint ? `${o.name}-hint` : undefined;
  return html`<label for="${o.name}">${o.label}</label>
<input id="${o.name}" name="${o.name}" type="${o.type}" autocomplete="${o.autocomplete}"${o.value !== undefined ? html` value="${o.value}"` : ''}${o.required === false ? '' : html` required`}${o.minLength ? html` minlength="${o.minLength}"` : ''}${o.maxLength ? html` maxlength="${o.maxLength}"` : ''}${hintId ? html` aria-describedby="${hintId}"` : ''}${o.autofocus ? html` autofocus` : ''}>
${o.hint ? html`<small id="${hintId}">${o.hint}</small>` : ''}`;
}
