import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeRedirectPath } from '../../../src/http/redirects.ts';

describe('safeRedirectPath (S11)', () => {
  it('keeps relative paths on this origin, with their query', () => {
    assert.equal(safeRedirectPath('/account?x=1'), '/account?x=1');
    assert.equal(safeRedirectPath('/'), '/');
    assert.equal(safeRedirectPath('/a/b/../c'), '/a/c');
    assert.equal(safeRedirectPath('/search?q=%2F%2Fevil.com'), '/search?q=%2F%2Fevil.com', 'encoded slashes in a query are harmless');
  });

  it('refuses every way out to another site', () => {
    const attacks = [
      '//evil.com',
      '///evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      'https:evil.com',
      'https://evil.com',
      'http:/evil.com',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '/%2F%2Fevil.com',
      '/%2f%2fevil.com',
      '/%5Cevil.com',
      '/%5C%5Cevil.com',
      '/\t/evil.com',
      '/\n/evil.com',
      '/\r\n/evil.com',
      '\t//evil.com',
      ' //evil.com',
      'evil.com',
      '',
    ];
    for (const next of attacks) assert.equal(safeRedirectPath(next), '/', JSON.stringify(next));
  });

  it('refuses paths that resolve to "//host" or "/\\host" (audit finding 6)', () => {
    const attacks = [
      '/.//evil.example',
      '/%2e//evil.example',
      '/%2E//evil.example',
      '/a/..//evil.example',
      '/a/%2e%2e//evil.example',
      '/%2e%2e//evil.example',
      '/./../..//evil.example',
      '/.%2f/evil.example',
      '/.%2F%2Fevil.example',
      '/%2e/%2fevil.example',
      '/./\\evil.example',
      '/.%5cevil.example',
      '/a/..%5c%5cevil.example',
      '/.\t//evil.example',
      '/./\t/evil.example',
      '/.%09//evil.example',
      '/a/..%09//evil.example',
    ];
    for (const next of attacks) assert.equal(safeRedirectPath(next), '/', JSON.stringify(next));
    assert.equal(safeRedirectPath('/./account'), '/account', 'a harmless dot segment still resolves');
  });

  it('refuses what is not a string and uses the given fallback', () => {
    for (const next of [undefined, null, 42, ['/account'], { path: '/account' }]) assert.equal(safeRedirectPath(next), '/');
    assert.equal(safeRedirectPath('//evil.com', '/login'), '/login');
    assert.equal(safeRedirectPath(`/${'a'.repeat(600)}`), '/', 'too long');
  });
});
