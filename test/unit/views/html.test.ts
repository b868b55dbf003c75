import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, raw } from '../../../src/views/html.ts';
import { field } from '../../../src/views/layout.ts';

describe('auto-escaping HTML templates', () => {
  it('escapes the five HTML-special characters', () => {
    assert.equal(escapeHtml(`<script>alert("x" & 'y')</script>`), '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });

  it('escapes every interpolated value, including inside arrays', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    assert.equal(
      html`<p title="${evil}">${evil}</p>`.value,
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>',
    );
    assert.equal(html`<ul>${['<a>', '<b>'].map((s) => html`<li>${s}</li>`)}</ul>`.value, '<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>');
  });

  it('does not escape Html twice, renders nothing for null, undefined and false, and prints numbers', () => {
    const inner = html`<b>${'&'}</b>`;
    assert.equal(html`<p>${inner}</p>`.value, '<p><b>&amp;</b></p>');
    assert.equal(html`[${null}${undefined}${false}]`.value, '[]');
    assert.equal(html`${0} ${true}`.value, '0 true');
    assert.equal(raw('<hr>').value, '<hr>');
  });

  it('escapes values that end up in form fields', () => {
    const out = field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: '"><script>x</script>' }).value;
    assert.ok(!out.includes('<script>'));
    assert.match(out, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
  });
});
