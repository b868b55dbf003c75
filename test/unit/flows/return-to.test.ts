import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReturnToRule, withReturnTo } from '../../../src/flows/return-to.ts';

const rule = new ReturnToRule(['https://auth.example.com', 'https://allowed.example', 'http://127.0.0.1:8080']);

describe('return_to (S11)', () => {
  it('keeps relative paths on Latchkey and absolute URLs on allowed origins', () => {
    assert.equal(rule.check('/account'), '/account');
    assert.equal(rule.check('/oidc/interaction/abc?x=1'), '/oidc/interaction/abc?x=1');
    assert.equal(rule.check('https://allowed.example/'), 'https://allowed.example/');
    assert.equal(rule.check('https://allowed.example/reports?id=7&tab=2'), 'https://allowed.example/reports?id=7&tab=2');
    assert.equal(rule.check('HTTPS://Allowed.Example/a'), 'https://allowed.example/a', 'normalised');
    assert.equal(rule.check('https://allowed.example:443/a'), 'https://allowed.example/a', 'default port is the same origin');
    assert.equal(rule.check('https://auth.example.com/account'), 'https://auth.example.com/account');
    assert.equal(rule.check('http://127.0.0.1:8080/app'), 'http://127.0.0.1:8080/app');
  });

  it('ignores every way to another site', () => {
    const attacks = [
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '\\/evil.example',
      'https:evil.example',
      'https:/evil.example',
      'https:\\\\evil.example',
      'https://evil.example',
      'https://evil.example/https://allowed.example',
      'http://allowed.example/',
      'https://allowed.example:8443/',
      'http://127.0.0.1:8081/',
      'https://allowed.example@evil.example',
      'https://allowed.example:pw@evil.example',
      'https://user@allowed.example/',
      'https://allowed.example.evil.example',
      'https://allowed.example.evil.example/',
      'https://evil.example#https://allowed.example',
      'https://evil.example?https://allowed.example',
      'https://evil.example\\@allowed.example',
      'https://allowed.example\\@evil.example',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'ftp://allowed.example/',
      'ws://allowed.example/',
      'file:///etc/passwd',
      'mailto:a@allowed.example',
      'allowed.example',
      'evil.example',
      '%2F%2Fevil.example',
      '/%2F%2Fevil.example',
      '/%2f%2fevil.example',
      '/%5Cevil.example',
      '%5C%5Cevil.example',
      'https%3A%2F%2Fevil.example',
      'https%3A//allowed.example/',
      '/.//evil.example',
      '/%2e//evil.example',
      ' //evil.example',
      ' /account',
      '\t/account',
      '\n//evil.example',
      '\u00a0https://allowed.example/',
      '\u2028/account',
      'https://allowed.example/\r\nSet-Cookie:x=1',
      '/account\u0000',
      'https://allowed.example /',
      '',
      `/${'a'.repeat(3000)}`,
    ];
    for (const value of attacks) assert.equal(rule.check(value), undefined, JSON.stringify(value));
  });

  it('ignores what is not a string', () => {
    for (const value of [undefined, null, 42, ['/account'], { path: '/account' }]) assert.equal(rule.check(value), undefined);
  });

  it('builds the URL a proxy reports, only when it is allowed', () => {
    assert.equal(rule.checkForwarded('https', 'allowed.example', '/a?b=1'), 'https://allowed.example/a?b=1');
    assert.equal(rule.checkForwarded('https', 'allowed.example', undefined), 'https://allowed.example/');
    assert.equal(rule.checkForwarded('https', 'evil.example', '/a'), undefined);
    assert.equal(rule.checkForwarded('https', 'allowed.example@evil.example', '/a'), undefined);
    assert.equal(rule.checkForwarded('javascript', 'allowed.example', '/a'), undefined);
    assert.equal(rule.checkForwarded('https', 'allowed.example', '//evil.example/'), undefined, 'a URI that is not a path');
    assert.equal(rule.checkForwarded('https', 'allowed.example', 'x'), undefined);
    assert.equal(rule.checkForwarded(undefined, 'allowed.example', '/a'), undefined);
  });

  it('adds return_to to a path, encoded', () => {
    assert.equal(withReturnTo('/login', undefined), '/login');
    assert.equal(
      withReturnTo('/login', 'https://allowed.example/a?b=1&c=2'),
      '/login?return_to=https%3A%2F%2Fallowed.example%2Fa%3Fb%3D1%26c%3D2',
    );
    assert.equal(withReturnTo('/login?notice=signed-out', '/account'), '/login?notice=signed-out&return_to=%2Faccount');
  });
});
