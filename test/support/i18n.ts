import assert from 'node:assert/strict';
import { missingMessages } from '../../src/i18n/catalogue.ts';
import { LOCALE_NAMES, PSEUDO_LOCALE, SUPPORTED_LOCALES } from '../../src/i18n/locales.ts';

/** Every language Latchkey ships; the pseudo-locale (I18N_PSEUDO_LOCALE=on) is separate. */
export const LOCALES: readonly string[] = SUPPORTED_LOCALES;
export { PSEUDO_LOCALE };

/** The settings a service needs to answer in the pseudo-locale (`?lang=en-XA`). */
export const PSEUDO_ENV = { I18N_PSEUDO_LOCALE: 'on' } as const;

const ATTRIBUTES_READ = ['alt', 'title', 'placeholder', 'aria-label', 'label'];

/**
 * What a person reads or hears of an HTML page or mail: the `<title>`, text between tags, and
 * the attributes read out (alt, title, placeholder, aria-label, and the value of buttons);
 * scripts, styles and the QR code's SVG left out.
 */
export function readableText(page: string): string {
  const body = page
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<svg\b[\s\S]*?<\/svg>/gi, ' ');
  const pieces: string[] = [];
  for (const tag of body.matchAll(/<[a-z][^>]*>/gi)) {
    for (const name of ATTRIBUTES_READ) {
      const value = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag[0])?.[1];
      if (value !== undefined) pieces.push(value);
    }
    if (/^<input\b/i.test(tag[0]) && /type="(submit|button)"/i.test(tag[0])) {
      pieces.push(/\svalue="([^"]*)"/i.exec(tag[0])?.[1] ?? '');
    }
  }
  pieces.push(body.replace(/<[^>]*>/g, ' '));
  return decodeEntities(pieces.join(' \n '));
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#(\d+);/g, (_m, code) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

/** Text that is everyone's, in every language: the product, the language names, the time zone. */
const UNIVERSAL = ['Latchkey', 'UTC', ...Object.values(LOCALE_NAMES)];

/**
 * The words of a page rendered in the pseudo-locale that no catalogue message made: what is left
 * once every ⟦message⟧ (nested ones too), the given data (addresses, names, codes a test put in),
 * the universal words and everything that is not a run of two Latin letters are taken away.
 */
export function untranslatedWords(page: string, data: readonly string[] = []): string[] {
  let text = readableText(page);
  for (const value of [...data, ...UNIVERSAL].sort((a, b) => b.length - a.length)) {
    if (value) text = text.split(value).join(' ');
  }
  let previous: string;
  do {
    previous = text;
    text = text.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  } while (text !== previous);
  return [...text.matchAll(/[A-Za-z][A-Za-z'’-]+/g)].map((m) => m[0]);
}

/** Fails naming the words of a pseudo-locale page that bypass the catalogues. */
export function assertNoUntranslatedText(page: string, where: string, data: readonly string[] = []): void {
  const words = untranslatedWords(page, data);
  assert.deepEqual(words, [], `${where}: text outside the catalogues: ${words.join(' ')}`);
}

/** Fails naming the catalogue keys looked up in `locales` but missing from them (since the process started). */
export function assertNoMissingMessages(locales: readonly string[] = LOCALES): void {
  const missing = missingMessages().filter((entry) => locales.some((locale) => entry.startsWith(`${locale}:`)));
  assert.deepEqual(missing, [], `messages missing from catalogues: ${missing.join(', ')}`);
}
