/**
 * The languages Latchkey speaks. Each has a folder of catalogues in ./messages/ (one JSON file
 * per area, the same keys in every locale; test/i18n checks it).
 */
export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'ja'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/**
 * The translators' pseudo-locale (I18N_PSEUDO_LOCALE=on): every catalogue message in ⟦ ⟧, so text
 * the catalogues do not cover stands out on a page. Its dates and numbers are formatted as
 * Japanese, which has no Latin letters either.
 */
export const PSEUDO_LOCALE = 'en-XA';

/** Each language named in itself, for the language menu. */
export const LOCALE_NAMES: Record<string, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  'pt-BR': 'Português (Brasil)',
  ja: '日本語',
  [PSEUDO_LOCALE]: '⟦Pseudo⟧',
};

export function isSupportedLocale(value: string): value is SupportedLocale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The locale `Intl` formats dates, times and numbers with. */
export function intlLocale(locale: string): string {
  return locale === PSEUDO_LOCALE ? 'ja' : locale;
}

const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'yi', 'ps', 'dv', 'ckb']);

/** `dir` of `<html>`: by the language's script (none of today's six is right to left). */
export function textDirection(locale: string): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale.split('-')[0] as string) ? 'rtl' : 'ltr';
}
