import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appPathOf, pathUnderBase, publicLink } from '../../../src/config/public-url.ts';
import { isAppPath, prefixHtmlPaths } from '../../../src/http/base-path.ts';
import { redactUrl } from '../../../src/logger.ts';
import { html } from '../../../src/views/html.ts';

describe('base path: app paths inside, prefixed paths outside', () => {
  it('strips the base path from request paths and marks everything else as outside', () => {
    assert.equal(appPathOf('/auth', '/auth'), '/');
    assert.equal(appPathOf('/auth', '/auth/'), '/');
    assert.equal(appPathOf('/auth', '/auth?next=%2F'), '/?next=%2F');
    assert.equal(appPathOf('/auth', '/auth/reset-password/abc'), '/reset-password/abc');
    for (const outside of ['/', '/login', '/authx', '/authx/login', '/Auth/login', '/api/login', '/x/auth/login']) {
      assert.equal(appPathOf('/auth', outside), undefined, outside);
    }
    assert.equal(appPathOf('', '/login?x'), '/login?x', 'without a base path every path is an app path');
  });

  it('builds links from PUBLIC_URL with its path', () => {
    assert.equal(publicLink(new URL('https://example.com/auth'), '/reset-password/t'), 'https://example.com/auth/reset-password/t');
    assert.equal(publicLink(new URL('https://example.com/auth/'), '/login'), 'https://example.com/auth/login');
    assert.equal(publicLink(new URL('https://example.com'), '/login'), 'https://example.com/login');
    assert.equal(pathUnderBase('/auth', '/?notice=x'), '/auth/?notice=x');
    assert.throws(() => pathUnderBase('/auth', 'login'), /app path starts with "\/"/);
  });

  it('treats only single-slash paths as app paths (never //host or /\\host)', () => {
    assert.equal(isAppPath('/login'), true);
    for (const other of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'login', ''])
      assert.equal(isAppPath(other), false, other);
  });

  it('prefixes href, action, src and formaction holding app paths, and nothing else', () => {
    const page = html`<link rel="stylesheet" href="/assets/style.css"><a href="/">home</a>
<form method="post" action="/login?next=%2Faccount"><input type="hidden" name="next" value="/account"><button formaction="/logout">x</button></form>
<img src="/i.png"><a href="https://other.example/x">abs</a><a href="//evil.example/">proto</a><p>${'say href="/x" here'}</p>`;
    const out = prefixHtmlPaths(page.value, '/auth');
    assert.match(out, / href="\/auth\/assets\/style.css"/);
    assert.match(out, / href="\/auth\/">home/);
    assert.match(out, / action="\/auth\/login\?next=%2Faccount"/);
    assert.match(out, / value="\/account"/, 'form values stay app paths; redirects to them get the prefix');
    assert.match(out, / formaction="\/auth\/logout"/);
    assert.match(out, / src="\/auth\/i.png"/);
    assert.match(out, / href="https:\/\/other.example\/x"/);
    assert.match(out, / href="\/\/evil.example\/"/);
    assert.match(out, /say href=&quot;\/x&quot; here/, 'escaped text can never look like an attribute');
  });

  it('masks token paths in logged URLs behind a base path too', () => {
    assert.equal(redactUrl('/auth/reset-password/secret-token'), '/auth/reset-password/[redacted]');
    assert.equal(redactUrl('/reset-password/secret-token?x=1'), '/reset-password/[redacted]?[redacted]');
    assert.equal(redactUrl('/a/b/email-change/undo/secret'), '/a/b/email-change/undo/[redacted]');
  });
});
