import { isSupportedLocale, PSEUDO_LOCALE, SUPPORTED_LOCALES } from '../i18n/locales.ts';
import type { EnvReader } from './parse.ts';

/** The languages of pages, mails, SMS and API messages (README, "Languages"). */
export interface LocaleSettings {
  /** LOCALES: the languages offered, in menu order (default: every supported one). */
  readonly locales: readonly string[];
  /** DEFAULT_LOCALE: when neither a choice nor Accept-Language names an offered language. */
  readonly defaultLocale: string;
}

export function readLocaleSettings(read: EnvReader): LocaleSettings {
  const supported = SUPPORTED_LOCALES.join(', ');
  let locales: string[] = [...SUPPORTED_LOCALES];
  const listed = read.raw('LOCALES');
  if (listed !== undefined) {
    const entries = listed.split(',').map((entry) => entry.trim());
    const unknown = entries.filter((entry) => !isSupportedLocale(entry));
    if (unknown.length > 0 || entries.some((entry) => entry === '')) {
      read.problems.push(`LOCALES must be a comma-separated list of ${supported}, got "${listed}"`);
    } else {
      locales = [...new Set(entries)];
    }
  }
  const defaultLocale = read.string('DEFAULT_LOCALE', locales.includes('en') ? 'en' : (locales[0] as string));
  if (!locales.includes(defaultLocale)) {
    read.problems.push(`DEFAULT_LOCALE must be one of LOCALES (${locales.join(', ')}), got "${defaultLocale}"`);
  }
  // The translators' pseudo-locale, never offered in the menu: ?lang=en-XA only.
  if (read.boolean('I18N_PSEUDO_LOCALE', false)) locales.push(PSEUDO_LOCALE);
  return { locales, defaultLocale };
}
