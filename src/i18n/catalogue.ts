import { readdirSync, readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { intlLocale, isSupportedLocale, PSEUDO_LOCALE, SUPPORTED_LOCALES } from './locales.ts';

/** One locale's messages, by key (`area.name`), ICU MessageFormat source. */
export type Messages = Readonly<Record<string, string>>;

const MESSAGES_DIR = new URL('./messages/', import.meta.url);

function readLocale(locale: string): Messages {
  const dir = new URL(`${locale}/`, MESSAGES_DIR);
  const merged: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const entries = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value !== 'string') throw new Error(`${locale}/${file}: the message ${key} is not a string`);
      if (key in merged) throw new Error(`${locale}/${file}: the key ${key} is also in another file of ${locale}`);
      merged[key] = value;
    }
  }
  return merged;
}

const loaded = new Map<string, Messages>();

/**
 * One locale's catalogue, read at its first use (a request in English reads no other language's
 * files); undefined for a locale Latchkey does not speak. The pseudo-locale is English in ⟦ ⟧.
 */
export function catalogue(locale: string): Messages | undefined {
  let messages = loaded.get(locale);
  if (messages) return messages;
  if (locale === PSEUDO_LOCALE) {
    messages = Object.fromEntries(Object.entries(catalogue('en') as Messages).map(([key, value]) => [key, `⟦${value}⟧`]));
  } else if (isSupportedLocale(locale)) {
    messages = readLocale(locale);
  } else {
    return undefined;
  }
  loaded.set(locale, messages);
  return messages;
}

/** Every locale's catalogue, the pseudo-locale's included (the catalogue tests compare them). */
export function catalogues(): Map<string, Messages> {
  return new Map([...SUPPORTED_LOCALES, PSEUDO_LOCALE].map((locale) => [locale, catalogue(locale) as Messages]));
}

const compiled = new Map<string, IntlMessageFormat>();
/** Keys asked for that a catalogue lacks ("de:login.title"): what the i18n tests fail on. */
const missing = new Set<string>();

/**
 * The compiled message of `key` in `locale`, falling back to English (recorded as missing);
 * undefined when not even English has it.
 */
export function compiledMessage(locale: string, key: string): IntlMessageFormat | undefined {
  const id = `${locale}\u0000${key}`;
  const cached = compiled.get(id);
  if (cached) return cached;
  let source = catalogue(locale)?.[key];
  let sourceLocale = locale;
  if (source === undefined) {
    missing.add(`${locale}:${key}`);
    source = catalogue('en')?.[key];
    sourceLocale = 'en';
    if (source === undefined) return undefined;
  }
  const message = new IntlMessageFormat(source, intlLocale(sourceLocale), undefined, { ignoreTag: false });
  compiled.set(id, message);
  return message;
}

/** Keys looked up but absent from a catalogue since the process started (tests read it). */
export function missingMessages(): string[] {
  return [...missing].sort();
}
