import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';
import { renderSmsCode } from '../../../src/courier/templates/sms.ts';
import type { MailMessage, RenderedMail, TemplateName } from '../../../src/courier/templates/types.ts';
import { catalogues } from '../../../src/i18n/catalogue.ts';
import { withLocale } from '../../../src/i18n/index.ts';
import { assertNoMissingMessages, assertNoUntranslatedText, LOCALES, PSEUDO_LOCALE } from '../../support/i18n.ts';

const context = { publicUrl: new URL('https://id.example.test/auth'), productName: 'Latchkey' };
const TOKEN = 'Tk'.repeat(20);
const UNDO = 'Ud'.repeat(20);
const NAME = 'Ada Lovelace';
const NEW_EMAIL = 'ada.new@example.org';
const USERNAME = 'ada_l';
const PASSKEY = 'Work laptop';
const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
/** What the tests type into the messages: data, never translated (the URLs are taken from each mail). */
const DATA = [NAME, NEW_EMAIL, USERNAME, PASSKEY, TOKEN, UNDO, 'a@example.com'];

/**
 * Every template in every variant (each `change`, reason, flag and plural form); a Record, so a
 * new template does not compile until it is listed here.
 */
const VARIANTS: Record<TemplateName, Array<MailMessage['data']>> = {
  'password-reset': [
    { name: NAME, token: TOKEN, expiresInSeconds: 3600 },
    { name: null, token: TOKEN, expiresInSeconds: 90, returnTo: '/account' },
    { name: null, token: TOKEN, expiresInSeconds: 86_400, invited: true },
  ],
  'account-invite': [{ name: NAME, token: TOKEN, expiresInSeconds: 7 * 86_400 }],
  'password-changed': [{ name: NAME, changedAtMs: AT }],
  'password-set': [{ name: null, setAtMs: AT }],
  'reauth-code': [{ name: NAME, code: '123456', expiresInSeconds: 600 }],
  welcome: [{ name: null }, { name: NAME, returnTo: '/account' }],
  'account-exists': [{ name: NAME }, { name: null, reason: 'email-change' }],
  'username-unavailable': [{}],
  'confirm-email': [
    { name: null, token: TOKEN, expiresInSeconds: 86_400, welcome: true },
    { name: null, token: TOKEN, expiresInSeconds: 2 * 86_400, welcome: false, returnTo: '/account' },
  ],
  'email-change-confirm': [{ name: NAME, token: TOKEN, expiresInSeconds: 3600 }],
  'email-change-requested': [{ name: NAME, newEmail: NEW_EMAIL, undoToken: UNDO, expiresInSeconds: 7 * 86_400 }],
  'username-reminder': [{ name: NAME, username: USERNAME }],
  'password-reset-code': [{ name: NAME, code: '12345678', expiresInSeconds: 900 }],
  'login-code': [{ name: NAME, code: '654321', expiresInSeconds: 300 }],
  'login-link': [{ name: NAME, token: TOKEN, code: '01234567', expiresInSeconds: 900, returnTo: '/account' }],
  'recovery-code-used': [0, 1, 2, 5].map((remaining) => ({ name: NAME, remaining, usedAtMs: AT })),
  'phone-changed': (['added', 'removed'] as const).map((change) => ({ name: NAME, change, endsWith: '78', atMs: AT })),
  'second-factor-changed': (['enabled', 'recovery-codes-regenerated', 'disabled', 'reset-by-admin'] as const).map((change) => ({
    name: NAME,
    change,
    changedAtMs: AT,
  })),
  'passkey-changed': (['added', 'removed'] as const).map((change) => ({ name: NAME, change, passkeyName: PASSKEY, changedAtMs: AT })),
  'account-imported': [
    { name: NAME, hasPassword: true },
    { name: null, hasPassword: false },
  ],
};

const MESSAGES = Object.entries(VARIANTS).flatMap(([template, variants]) =>
  variants.map((data, i) => ({ where: `${template} #${i + 1}`, message: { template, to: 'a@example.com', data } as MailMessage })),
);

const hrefs = (page: string) => [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);

function rendered(locale: string, message: MailMessage): RenderedMail {
  return renderMail({ ...message, locale }, context);
}

describe('every mail and SMS in every language (src/i18n/messages/*/mail.json, sms.json)', () => {
  it('in the pseudo-locale, no word of a subject, text or HTML part comes from outside the catalogues', () => {
    for (const { where, message } of MESSAGES) {
      const mail = rendered(PSEUDO_LOCALE, message);
      const data = [...DATA, ...hrefs(mail.html)];
      for (const link of hrefs(mail.html)) assert.ok(link.startsWith('https://id.example.test/auth/'), `${where}: ${link}`);
      assertNoUntranslatedText(mail.subject, `${where} subject`, data);
      assertNoUntranslatedText(mail.text, `${where} text`, data);
      assertNoUntranslatedText(mail.html, `${where} HTML`, data);
      assert.match(mail.html, /<html lang="en-XA">/, where);
    }
    const sms = withLocale(PSEUDO_LOCALE, () => renderSmsCode('123456', context));
    assertNoUntranslatedText(sms, 'SMS', ['id.example.test']);
  });

  it('the pseudo-locale check fails on a word the catalogues did not make', () => {
    const mail = rendered(PSEUDO_LOCALE, { template: 'welcome', to: 'a@example.com', data: { name: null } });
    assert.throws(() => assertNoUntranslatedText(`${mail.text} Welcome`, 'probe', hrefs(mail.html)), /Welcome/);
  });

  for (const locale of LOCALES) {
    it(`${locale}: every message is in the catalogue, each subject and SMS in the language, <html lang="${locale}">`, () => {
      for (const { where, message } of MESSAGES) {
        const mail = rendered(locale, message);
        const english = rendered('en', message);
        if (locale !== 'en') {
          assert.notEqual(mail.subject, english.subject, `${where}: the subject is translated`);
          assert.notEqual(mail.text, english.text, `${where}: the text is translated`);
        }
        assert.match(mail.html, new RegExp(`<html lang="${locale}">`), where);
        assert.deepEqual(hrefs(mail.html), hrefs(english.html), `${where}: the same links`);
      }
      const sms = withLocale(locale, () => renderSmsCode('123456', context));
      if (locale !== 'en')
        assert.notEqual(
          sms,
          withLocale('en', () => renderSmsCode('123456', context)),
        );
      assert.match(sms, /123456.*\n\n@id\.example\.test #123456$/);
      assertNoMissingMessages([locale]);
    });
  }

  it('every mail and SMS message of the catalogue is used by some template (no variant left out above)', () => {
    const english = catalogues().get('en') ?? {};
    const texts = MESSAGES.map(({ message }) => {
      const mail = rendered('en', message);
      return `${mail.subject}\n${mail.text}`;
    }).join('\n');
    const all = `${texts}\n${renderSmsCode('123456', context)}`;
    const unused = Object.entries(english)
      .filter(([key]) => key.startsWith('mail.') || key.startsWith('sms.'))
      .filter(([, source]) => !patternOf(source).test(all))
      .map(([key]) => key);
    assert.deepEqual(unused, []);
  });

  it('says times and lifetimes in the mail’s language, the zone named, plurals by the language', () => {
    const changed = (locale: string) =>
      rendered(locale, { template: 'password-changed', to: 'a@x', data: { name: null, changedAtMs: AT } });
    assert.match(changed('en').text, /changed on January 2, 2026 at 03:04\sAM UTC\./);
    assert.match(changed('de').text, /am 2\. Januar 2026 um 03:04 UTC geändert/);
    assert.match(changed('ja').text, /2026年1月2日 03:04 UTC/);
    const reset = (locale: string, seconds: number) =>
      rendered(locale, { template: 'password-reset', to: 'a@x', data: { name: null, token: TOKEN, expiresInSeconds: seconds } }).text;
    assert.match(reset('de', 3600), /in 1 Stunde ab/);
    assert.match(reset('de', 7200), /in 2 Stunden ab/);
    assert.match(reset('fr', 900), /dans 15 minutes/);
    assert.match(reset('ja', 86_400), /1 日/);
    const used = (locale: string, remaining: number) =>
      rendered(locale, { template: 'recovery-code-used', to: 'a@x', data: { name: null, remaining, usedAtMs: AT } }).text;
    assert.match(used('en', 1), /1 recovery code is left\./);
    assert.match(used('en', 2), /2 recovery codes are left\./);
    assert.match(used('es', 1), /Queda 1 código de recuperación\./);
    assert.match(used('es', 4), /Quedan 4 códigos de recuperación\./);
  });
});

/** A message's English source as a pattern of the text it renders: placeholders and plurals match anything. */
function patternOf(source: string): RegExp {
  const parts: string[] = [];
  let depth = 0;
  let literal = '';
  for (const char of source) {
    if (char === '{') {
      if (depth === 0) {
        parts.push(literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), '[\\s\\S]*?');
        literal = '';
      }
      depth++;
    } else if (char === '}') depth--;
    else if (depth === 0) literal += char;
  }
  parts.push(literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join(''));
}
