import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword, codePointLength, normalisePassword, passwordProblemMessage } from '../../../src/crypto/passwords/policy.ts';

const POLICY = { minLength: 8, maxLength: 128 };
const check = (password: string, email?: string) => checkPassword(password, POLICY, email ? { email } : {});

describe('password policy (S13, NIST 800-63B)', () => {
  it('normalises with NFKC', () => {
    assert.equal(normalisePassword('ﬁﬂ'), 'fifl');
    assert.equal(normalisePassword('ｐａｓｓ'), 'pass');
    assert.equal(normalisePassword('e\u0301'), '\u00e9');
  });

  it('counts code points, not UTF-16 units', () => {
    assert.equal(codePointLength('😀😀'), 2);
    assert.equal('😀😀'.length, 4);
    assert.equal(codePointLength('👩‍👩‍👧'), 5, 'a ZWJ sequence is several code points');
  });

  it('measures the length after normalisation: a decomposed é counts once', () => {
    assert.equal(check('caf\u00e9-bar'), undefined);
    assert.equal(check('cafe\u0301bar'.slice(0, 6)), 'PASSWORD_TOO_SHORT', 'six code points after NFKC');
  });

  it('refuses fewer than the minimum and more than the maximum code points', () => {
    assert.equal(check('Xy7#kq2'), 'PASSWORD_TOO_SHORT');
    assert.equal(check('Xy7#kq2!'), undefined);
    assert.equal(check('😀'.repeat(7)), 'PASSWORD_TOO_SHORT', '7 emoji are 14 UTF-16 units but 7 characters');
    assert.equal(check('😀'.repeat(8)), undefined);
    assert.equal(check('😀'.repeat(128)), undefined, '128 emoji are 256 UTF-16 units but within the maximum');
    assert.equal(check('😀'.repeat(129)), 'PASSWORD_TOO_LONG');
    assert.equal(check('a'.repeat(129)), 'PASSWORD_TOO_LONG');
  });

  it('follows a configured minimum and maximum', () => {
    const strict = { minLength: 12, maxLength: 64 };
    assert.equal(checkPassword('Xy7#kq2!zz', strict), 'PASSWORD_TOO_SHORT');
    assert.equal(checkPassword('Xy7#kq2!zzab', strict), undefined);
    assert.equal(checkPassword('b'.repeat(65), strict), 'PASSWORD_TOO_LONG');
    assert.match(passwordProblemMessage('PASSWORD_TOO_SHORT', strict), /at least 12 characters/);
    assert.match(passwordProblemMessage('PASSWORD_TOO_LONG', strict), /at most 64 characters/);
  });

  it('refuses the most common passwords, whatever the case or the keyboard width', () => {
    for (const common of ['password', 'password1', 'qwertyuiop', 'iloveyou', 'PassWord1', 'ｐａｓｓｗｏｒｄ１']) {
      assert.equal(check(common), 'PASSWORD_TOO_COMMON', common);
    }
  });

  it('refuses the email address and anything containing its local part', () => {
    assert.equal(check('ada.lovelace@example.com', 'ada.lovelace@example.com'), 'PASSWORD_CONTAINS_EMAIL');
    assert.equal(check('ADA.LOVELACE@EXAMPLE.COM', 'ada.lovelace@example.com'), 'PASSWORD_CONTAINS_EMAIL');
    assert.equal(check('my ada.lovelace pass', 'ada.lovelace@example.com'), 'PASSWORD_CONTAINS_EMAIL');
    assert.equal(check('ada-was-here-2024', 'ada@example.com'), 'PASSWORD_CONTAINS_EMAIL');
    assert.equal(check('al is a fine name', 'al@example.com'), undefined, 'a local part under 3 characters is too short to match');
    assert.equal(check('my ada.lovelace pass'), undefined, 'without an email nothing is compared');
  });

  it('refuses control characters and lone surrogates', () => {
    for (const bad of [
      'abc\u0000defgh',
      'abcdefgh\n',
      'abc\tdefgh',
      'abc\u001bdefgh',
      'abc\u007fdefgh',
      'abc\u0085defgh',
      'abc\ud800defgh',
      'abcdefgh\udc00',
    ]) {
      assert.equal(check(bad), 'PASSWORD_INVALID_CHARACTERS', JSON.stringify(bad));
    }
  });

  it('allows spaces and any printable Unicode, with no composition rules', () => {
    for (const good of [
      'correct horse battery staple',
      '   spaces   around   ',
      'пароль для почты',
      'パスワードは長いです',
      'Ünïcödé-çharš',
      '🦄🌈🔑🗝️🚪🏠🐉🎈',
      'alllowercaseletters',
    ]) {
      assert.equal(check(good), undefined, good);
    }
  });

  it('has a specific message for every problem', () => {
    for (const problem of ['PASSWORD_TOO_COMMON', 'PASSWORD_CONTAINS_EMAIL', 'PASSWORD_INVALID_CHARACTERS'] as const) {
      assert.ok(passwordProblemMessage(problem, POLICY).length > 20);
    }
  });
});
