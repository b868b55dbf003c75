import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEmailAddress } from '../../../src/kernel/email-address.ts';

describe('email address parsing (S21)', () => {
  it('trims, keeps what was typed for display, and lower-cases the canonical form', () => {
    assert.deepEqual(parseEmailAddress('  Ada.Lovelace@Example.COM \t'), {
      display: 'Ada.Lovelace@Example.COM',
      canonical: 'ada.lovelace@example.com',
    });
  });

  it('accepts ordinary dot-atom local parts', () => {
    for (const ok of ['a@b.co', "o'brien+tag@mail.example.org", 'x_y-z@sub.domain.example', 'user%x@example.com']) {
      assert.ok(parseEmailAddress(ok), ok);
    }
  });

  it('turns an IDN domain into punycode in the canonical form', () => {
    const parsed = parseEmailAddress('User@Bücher.Example');
    assert.deepEqual(parsed, { display: 'User@Bücher.Example', canonical: 'user@xn--bcher-kva.example' });
    assert.equal(parseEmailAddress('user@ｅｘａｍｐｌｅ.com')?.canonical, 'user@example.com', 'full-width letters fold to ASCII');
    assert.notEqual(parseEmailAddress('user@exam\u0131ple.com')?.canonical, 'user@example.com', 'a dotless i is another domain');
  });

  it('refuses lists of addresses', () => {
    for (const list of ['a@x.com,b@y.com', 'a@x.com;b@y.com', 'a@x.com b@y.com', 'a@x.com, b@y.com']) {
      assert.equal(parseEmailAddress(list), undefined, list);
    }
  });

  it('refuses CR, LF and other control characters inside the address', () => {
    for (const bad of ['a@x.com\r\nBcc: b@y.com', 'a\n@x.com', 'a@x\r.com', 'a@x.com\u0000', 'a\u0007b@x.com', 'a@x.c\u007fom']) {
      assert.equal(parseEmailAddress(bad), undefined, JSON.stringify(bad));
    }
  });

  it('refuses display names, comments, quoted and bracketed forms', () => {
    for (const bad of ['Ada <ada@example.com>', '<ada@example.com>', '"ada"@example.com', 'ada@example.com (Ada)', 'ada@[127.0.0.1]']) {
      assert.equal(parseEmailAddress(bad), undefined, bad);
    }
  });

  it('refuses Unicode local parts, where lookalike and case-folding tricks live', () => {
    for (const bad of ['ädä@example.com', 'admın@example.com', 'ａｄａ@example.com', 'ada\u200b@example.com']) {
      assert.equal(parseEmailAddress(bad), undefined, bad);
    }
  });

  it('refuses what is not one address', () => {
    for (const bad of [
      '',
      '   ',
      'ada',
      '@example.com',
      'ada@',
      'ada@@example.com',
      'ada@localhost',
      'ada@1.2.3.4',
      'ada@-x.com',
      'ada@x-.com',
      '.ada@x.com',
      'ada.@x.com',
      'a..da@x.com',
      'ada@x..com',
    ]) {
      assert.equal(parseEmailAddress(bad), undefined, JSON.stringify(bad));
    }
  });

  it('refuses addresses that are too long', () => {
    assert.ok(parseEmailAddress(`${'a'.repeat(64)}@example.com`));
    assert.equal(parseEmailAddress(`${'a'.repeat(65)}@example.com`), undefined, 'local part over 64');
    assert.equal(parseEmailAddress(`a@${'b'.repeat(64)}.com`), undefined, 'label over 63');
    const longDomain = `${Array.from({ length: 5 }, () => 'c'.repeat(60)).join('.')}.com`;
    assert.equal(parseEmailAddress(`a@${longDomain}`), undefined, 'over 254 in all');
  });
});
