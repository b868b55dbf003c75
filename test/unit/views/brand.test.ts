import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { accentPlan, DEFAULT_LINKS, PAGE_BACKGROUNDS } from '../../../src/config/brand-colour.ts';
import type { BrandSettings } from '../../../src/config/brand-config.ts';
import { brandPage, brandStylesheet, isBranded, pageBrand } from '../../../src/views/brand.ts';
import { html } from '../../../src/views/html.ts';
import { layout } from '../../../src/views/layout.ts';

const STYLE = readFileSync(new URL('../../../src/views/style.css', import.meta.url), 'utf8');
const settings = (o: Partial<BrandSettings>): BrandSettings => ({
  name: 'Latchkey',
  logo: undefined,
  accent: undefined,
  themeCss: undefined,
  templates: new Map(),
  warnings: [],
  ...o,
});

describe('the brand on pages', () => {
  it('unbranded, pages are left as layout makes them', () => {
    assert.equal(isBranded(pageBrand(settings({}))), false);
  });

  it('puts the name in the title and header, the logo in the header, and the stylesheets after ours', () => {
    const brand = pageBrand(
      settings({
        name: 'Acme & Co',
        logo: { bytes: Buffer.from('logo'), type: 'image/png', extension: '.png' },
        accent: accentPlan('#0b7285'),
        themeCss: ':root { --lk-radius: 0; }',
      }),
    );
    assert.match(brand.logoPath ?? '', /^\/assets\/brand-logo-[0-9a-f]{16}\.png$/);
    assert.deepEqual(
      brand.stylesheets.map((path) => path.replace(/[0-9a-f]{16}/, 'HASH')),
      ['/assets/brand-HASH.css', '/assets/theme-HASH.css'],
    );
    // A user's text that quotes the markers stays text: it is escaped before brandPage looks.
    const page = brandPage(
      layout({ title: 'Sign in' }, html`<p>${'<a href="/" class="brand">Latchkey</a> · Latchkey</title>'}</p>`).value,
      brand,
    );
    assert.match(page, /<title>Sign in · Acme &amp; Co<\/title>/);
    assert.match(page, new RegExp(`<a href="/" class="brand"><img src="${brand.logoPath}" alt="Acme &amp; Co"></a>`));
    assert.match(
      page,
      new RegExp(
        `<link rel="stylesheet" href="/assets/style.css">\\n<link rel="stylesheet" href="${brand.stylesheets[0]}">\\n<link rel="stylesheet" href="${brand.stylesheets[1]}">\\n`,
      ),
    );
    assert.match(page, /<p>&lt;a href=&quot;\/&quot; class=&quot;brand&quot;&gt;Latchkey&lt;\/a&gt; · Latchkey&lt;\/title&gt;<\/p>/);
    const named = brandPage(layout({ title: 'Sign in' }, html``).value, pageBrand(settings({ name: 'Acme' })));
    assert.match(named, /<a href="\/" class="brand">Acme<\/a>/);
  });

  it('the content hash changes the URL when the file changes', () => {
    const a = pageBrand(settings({ themeCss: 'a{}' })).stylesheets[0];
    const b = pageBrand(settings({ themeCss: 'b{}' })).stylesheets[0];
    assert.notEqual(a, b);
  });

  it('the BRAND_COLOR stylesheet sets the accent, its text colour and the link colour per scheme', () => {
    assert.equal(
      brandStylesheet(accentPlan('#0b7285')),
      '/* BRAND_COLOR */\n:root { --lk-accent: #0b7285; --lk-on-accent: #ffffff; --lk-link: #0b7285; }\n@media (prefers-color-scheme: dark) {\n  :root { --lk-accent: #0b7285; --lk-on-accent: #ffffff; --lk-link: #8db0ff; }\n}\n',
    );
  });

  it('style.css defines the documented custom properties, with the link colours and backgrounds brand-colour.ts assumes', () => {
    for (const name of [
      'bg',
      'text',
      'muted',
      'accent',
      'on-accent',
      'link',
      'bad',
      'ok',
      'line',
      'field-line',
      'focus',
      'radius',
      'font',
      'width',
      'logo-height',
    ]) {
      assert.match(STYLE, new RegExp(`--lk-${name}:`), name);
    }
    assert.doesNotMatch(STYLE, /var\(--(?!lk-)/, 'every custom property is an --lk- one');
    assert.match(STYLE, new RegExp(`--lk-accent: ${DEFAULT_LINKS.light};`));
    assert.match(STYLE, new RegExp(`--lk-accent: ${DEFAULT_LINKS.dark};`));
    assert.match(STYLE, /--lk-bg: #fff;/);
    assert.equal(PAGE_BACKGROUNDS.light, '#ffffff');
    assert.match(STYLE, new RegExp(`--lk-bg: ${PAGE_BACKGROUNDS.dark};`));
  });
});
