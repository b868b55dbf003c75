import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { catalogues } from '../../../src/i18n/catalogue.ts';
import { SUPPORTED_LOCALES } from '../../../src/i18n/locales.ts';

const MESSAGES_DIR = new URL('../../../src/i18n/messages/', import.meta.url);

/** The arguments, tags and plural/select forms of a message: what every translation must keep. */
function shapeOf(elements: MessageFormatElement[], into: Set<string> = new Set()): Set<string> {
  for (const element of elements) {
    switch (element.type) {
      case TYPE.argument:
      case TYPE.number:
      case TYPE.date:
      case TYPE.time:
        into.add(`{${element.value}}`);
        break;
      case TYPE.plural:
      case TYPE.select:
        into.add(`{${element.value}, ${element.type === TYPE.select ? 'select' : 'plural'}}`);
        for (const [name, option] of Object.entries(element.options)) {
          // Plural categories differ by language (Japanese has only "other"): only select cases must match.
          if (element.type === TYPE.select) into.add(`{${element.value} = ${name}}`);
          shapeOf(option.value, into);
        }
        break;
      case TYPE.tag:
        into.add(`<${element.value}>`);
        shapeOf(element.children, into);
        break;
      default:
        break;
    }
  }
  return into;
}

const english = catalogues().get('en') ?? {};

describe('message catalogues (src/i18n/messages)', () => {
  it('every locale has the same files as English', () => {
    const files = (locale: string) => readdirSync(new URL(`${locale}/`, MESSAGES_DIR)).sort();
    for (const locale of SUPPORTED_LOCALES) assert.deepEqual(files(locale), files('en'), locale);
  });

  it('English has messages, each valid ICU MessageFormat', () => {
    assert.ok(Object.keys(english).length > 50, `${Object.keys(english).length} messages`);
    for (const [key, message] of Object.entries(english)) assert.doesNotThrow(() => parse(message), key);
  });

  for (const locale of SUPPORTED_LOCALES.filter((l) => l !== 'en')) {
    describe(locale, () => {
      const messages = catalogues().get(locale) ?? {};

      it('has every English key and no other', () => {
        const missing = Object.keys(english).filter((key) => !(key in messages));
        const extra = Object.keys(messages).filter((key) => !(key in english));
        assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
      });

      it('keeps every placeholder, tag and select case of the English message, and adds none', () => {
        const mismatched: string[] = [];
        for (const [key, source] of Object.entries(english)) {
          const translation = messages[key];
          if (translation === undefined) continue;
          let shape: Set<string>;
          try {
            shape = shapeOf(parse(translation));
          } catch (error) {
            mismatched.push(`${key}: ${(error as Error).message}`);
            continue;
          }
          const expected = [...shapeOf(parse(source))].sort();
          if (JSON.stringify([...shape].sort()) !== JSON.stringify(expected)) {
            mismatched.push(`${key}: ${[...shape].sort().join(' ')} instead of ${expected.join(' ')}`);
          }
        }
        assert.deepEqual(mismatched, []);
      });

      it('translates every message of more than two words (none left in English)', () => {
        const words = (text: string) => text.replace(/\{[^}]*\}/g, ' ').match(/\p{L}+/gu) ?? [];
        const untranslated = Object.entries(english)
          .filter(([key, source]) => messages[key] === source && words(source).length > 2)
          .map(([key]) => key);
        assert.deepEqual(untranslated, []);
      });
    });
  }
});
