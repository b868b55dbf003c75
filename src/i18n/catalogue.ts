import { readdirSync, readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { intlLocale, PSEUDO_LOCALE, SUPPORTED_LOCALES } from './locales.ts';

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

let loaded: Map<string, Messages> | undefined;

/** Every locale's catalogue, read once (a few hundred kilobytes of JSON, read synchronously). */
export function catalogues(): Map<string, Messages> {
  if (!loaded) {
    loaded = new Map(SUPPORTED_LOCALES.map((locale) => [locale, readLocale(locale)]));
    const english = loaded.get('en') as Messages;
    loaded.set(PSEUDO_LOCALE, Object.fromEntries(Object.entries(english).map(([key, value]) => [key, `⟦${value}⟧`])));
  }
  return loaded;
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
  let source = catalogues().get(locale)?.[key];
  let sourceLocale = locale;
  if (source === undefined) {
    missing.add(`${locale}:${key}`);
    source = catalogues().get('en')?.[key];
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
