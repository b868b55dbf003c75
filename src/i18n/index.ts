import { AsyncLocalStorage } from 'node:async_hooks';
import { escapeHtml, Html } from '../views/html.ts';
import { compiledMessage } from './catalogue.ts';

/**
 * The language of the work in progress: set once per request (src/http/locale.ts) or around the
 * rendering of a mail (the recipient's language), read by `t` wherever text is made, so views and
 * messages need no locale parameter threaded through them.
 */
interface LocaleScope {
  locale: string;
  /** The app path and query the language menu's links lead to, worked out only when a menu is rendered. */
  url?: (() => string) | undefined;
  /** The request named the language (a choice, or Accept-Language), rather than falling back to DEFAULT_LOCALE. */
  expressed?: boolean;
}

const scope = new AsyncLocalStorage<LocaleScope>();
let fallbackLocale = 'en';
let offered: readonly string[] = ['en'];

/**
 * DEFAULT_LOCALE (the language of work done outside a request or mail) and LOCALES (the menu),
 * set at startup.
 */
export function configureLocales(settings: { defaultLocale: string; locales: readonly string[] }): void {
  fallbackLocale = settings.defaultLocale;
  offered = settings.locales;
}

export function defaultLocale(): string {
  return fallbackLocale;
}

export function offeredLocales(): readonly string[] {
  return offered;
}

/** Query parameters the language menu's links carry over: where to go after signing in, nothing typed. */
const KEPT_PARAMETERS = ['next', 'return_to'];

/**
 * The language menu's link for `locale`: the current page's path (the base path is added as the
 * page leaves, like every link) with `lang`, keeping only `next` and `return_to` of its query, so
 * nothing a person typed (an address in `?email=`) is copied into links.
 */
export function languageHref(locale: string, path?: string): string {
  const current = new URL(path ?? scope.getStore()?.url?.() ?? '/', 'http://page.invalid');
  const params = new URLSearchParams({ lang: locale });
  for (const name of KEPT_PARAMETERS) {
    const value = current.searchParams.get(name);
    if (value !== null) params.set(name, value);
  }
  return `${current.pathname}?${params.toString()}`;
}

export function currentLocale(): string {
  return scope.getStore()?.locale ?? fallbackLocale;
}

/** Runs `fn` in `locale` (a mail in its recipient's language, a test in a given language). */
export function withLocale<T>(locale: string, fn: () => T): T {
  return scope.run({ locale }, fn);
}

/**
 * Enters `locale` for the rest of the current request: everything this async context does from
 * here on (hooks, handler, error handler) speaks it.
 */
export function enterLocale(locale: string, url?: () => string, expressed = false): void {
  scope.enterWith({ locale, url, expressed });
}

/** The language the current request named, if it named one (what a new account stores). */
export function expressedLocale(): string | undefined {
  const store = scope.getStore();
  return store?.expressed ? store.locale : undefined;
}

export type MessageValues = Record<string, string | number | Date>;

/** The message `key` in the current language, as plain text (escaped later by `html`, if shown there). */
export function t(key: string, values?: MessageValues): string {
  const message = compiledMessage(currentLocale(), key);
  if (!message) return key;
  const out = message.format(values);
  return Array.isArray(out) ? out.join('') : String(out);
}

/** Values of a message with markup: text (escaped), Html, or tag functions (`<link>…</link>`). */
export type HtmlMessageValues = Record<string, string | number | Date | Html | ((chunks: Html) => Html)>;

function toHtml(parts: unknown): Html {
  const list = Array.isArray(parts) ? parts : [parts];
  return new Html(list.map((part) => (part instanceof Html ? part.value : escapeHtml(String(part)))).join(''));
}

/**
 * The message `key` as Html: its text escaped, Html values kept, and each tag `<x>…</x>` of the
 * message made by the function `x` of the values from its escaped content. Translators write
 * tags, never markup: a catalogue cannot inject HTML.
 */
export function th(key: string, values: HtmlMessageValues = {}): Html {
  const message = compiledMessage(currentLocale(), key);
  if (!message) return new Html(escapeHtml(key));
  const prepared: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    prepared[name] = typeof value === 'function' ? (chunks: unknown[]) => value(toHtml(chunks)) : value;
  }
  return toHtml(message.format(prepared as never));
}
