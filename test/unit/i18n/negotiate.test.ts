import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/config/parse.ts';
import { negotiateLocale } from '../../../src/i18n/negotiate.ts';

const ALL = ['en', 'de', 'fr', 'es', 'pt-BR', 'ja'];
const pick = (choices: Parameters<typeof negotiateLocale>[0], offered = ALL, fallback = 'en') =>
  negotiateLocale(choices, offered, fallback);

describe('choosing the language of a request (src/i18n/negotiate.ts)', () => {
  it('takes ?lang= first, then the cookie it left, each only when offered (any letter case)', () => {
    assert.deepEqual(pick({ query: 'fr', cookie: 'de', acceptLanguage: 'ja' }), { locale: 'fr', source: 'choice' });
    assert.deepEqual(pick({ query: 'PT-br' }), { locale: 'pt-BR', source: 'choice' });
    assert.deepEqual(pick({ query: 'xx', cookie: 'de', acceptLanguage: 'ja' }), { locale: 'de', source: 'choice' });
    assert.deepEqual(pick({ query: 'ja', acceptLanguage: 'de' }, ['en', 'de']), { locale: 'de', source: 'header' });
  });

  it('else matches Accept-Language by quality and by language (de-AT finds de, pt finds pt-BR)', () => {
    assert.equal(pick({ acceptLanguage: 'de-AT,de;q=0.9,en;q=0.5' }).locale, 'de');
    assert.equal(pick({ acceptLanguage: 'en;q=0.5, ja' }).locale, 'ja');
    assert.equal(pick({ acceptLanguage: 'pt' }).locale, 'pt-BR');
    assert.equal(pick({ acceptLanguage: 'es-MX' }).locale, 'es');
    assert.equal(pick({ acceptLanguage: 'fr-CA;q=0.8, de;q=0.9' }).locale, 'de');
  });

  it('else the default: no header, a wildcard, only unoffered or malformed languages', () => {
    for (const acceptLanguage of [undefined, '', '*', 'ko, zh', 'not a tag!!', 'x'.repeat(300), ';;;,,,']) {
      assert.deepEqual(pick({ acceptLanguage }, ALL, 'de'), { locale: 'de', source: 'default' }, String(acceptLanguage));
    }
  });
});

describe('LOCALES and DEFAULT_LOCALE', () => {
  const base = { NODE_ENV: 'test', SECRET_KEYS: 'test-secret-key-0123456789abcdef0123456789' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('offer every language by default, English first, and limit them when set', () => {
    assert.deepEqual(loadConfig(base).i18n, { locales: ALL, defaultLocale: 'en' });
    assert.deepEqual(loadConfig({ ...base, LOCALES: 'de, fr', DEFAULT_LOCALE: 'fr' }).i18n, { locales: ['de', 'fr'], defaultLocale: 'fr' });
    assert.deepEqual(loadConfig({ ...base, LOCALES: 'ja' }).i18n, { locales: ['ja'], defaultLocale: 'ja' });
  });

  it('name the variable and what was expected when wrong', () => {
    assert.match(
      problems({ LOCALES: 'en,xx' }).join('\n'),
      /^LOCALES must be a comma-separated list of en, de, fr, es, pt-BR, ja, got "en,xx"$/,
    );
    assert.match(problems({ LOCALES: 'en,,de' }).join('\n'), /^LOCALES must be/);
    assert.match(
      problems({ LOCALES: 'en,de', DEFAULT_LOCALE: 'ja' }).join('\n'),
      /^DEFAULT_LOCALE must be one of LOCALES \(en, de\), got "ja"$/,
    );
  });

  it('add the pseudo-locale only with I18N_PSEUDO_LOCALE=on', () => {
    assert.ok(!loadConfig(base).i18n.locales.includes('en-XA'));
    assert.ok(loadConfig({ ...base, I18N_PSEUDO_LOCALE: 'on' }).i18n.locales.includes('en-XA'));
  });
});
