import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { accentPlan, contrastRatio, parseHexColour } from '../../../src/config/brand-colour.ts';
import { MAX_LOGO_BYTES } from '../../../src/config/brand-config.ts';
import { configInTempDir } from '../../support/config.ts';

const { dir, load, problemsOf } = configInTempDir('brand-config');

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(dir, name), content);
  return name;
};

describe('brand settings', () => {
  it('default to the product name, no logo, no colour, no theme and no template override', () => {
    const { brand, mailFrom } = load({ PUBLIC_URL: 'https://id.example.com' });
    assert.equal(brand.name, 'Latchkey');
    assert.equal(brand.logo, undefined);
    assert.equal(brand.accent, undefined);
    assert.equal(brand.themeCss, undefined);
    assert.equal(brand.templates.size, 0);
    assert.equal(mailFrom, 'Latchkey <no-reply@id.example.com>');
  });

  it('BRAND_NAME names the default sender, quoted when it holds more than letters, digits and spaces', () => {
    assert.equal(load({ PUBLIC_URL: 'https://id.example.com', BRAND_NAME: 'Acme ID' }).mailFrom, 'Acme ID <no-reply@id.example.com>');
    assert.equal(
      load({ PUBLIC_URL: 'https://id.example.com', BRAND_NAME: 'Acme, Inc.' }).mailFrom,
      '"Acme, Inc." <no-reply@id.example.com>',
    );
    assert.equal(load({ BRAND_NAME: 'Acme', MAIL_FROM: 'x@example.com' }).mailFrom, 'x@example.com');
  });

  it('BRAND_NAME: one line of at most 64 characters without markup characters', () => {
    assert.match(problemsOf({ BRAND_NAME: 'a'.repeat(65) }), /BRAND_NAME must be one line of at most 64 characters/);
    assert.match(problemsOf({ BRAND_NAME: 'Acme\nBcc: x' }), /BRAND_NAME must be one line/);
    assert.match(problemsOf({ BRAND_NAME: '<b>Acme</b>' }), /BRAND_NAME .* without <, > or "/);
  });

  it('BRAND_COLOR: #rgb or #rrggbb only, stored as lowercase #rrggbb', () => {
    assert.equal(load({ BRAND_COLOR: '#0B7285' }).brand.accent?.accent, '#0b7285');
    assert.equal(load({ BRAND_COLOR: '#c00' }).brand.accent?.accent, '#cc0000');
    for (const bad of ['red', '#12', '#1234', '#12345g', 'rgb(1,2,3)', '#0b7285;}body{x:y', '0b7285']) {
      assert.match(problemsOf({ BRAND_COLOR: bad }), /BRAND_COLOR must be a colour written #rgb or #rrggbb \(e\.g\. #0b7285\)/, bad);
    }
    assert.equal(parseHexColour('#ABC'), '#aabbcc');
    assert.equal(parseHexColour('#abcd'), undefined);
  });

  it('BRAND_COLOR: button text is white or near-black, whichever contrasts more; too pale a colour is warned about', () => {
    assert.equal(accentPlan('#0b7285').onAccent, '#ffffff');
    assert.equal(accentPlan('#ffd43b').onAccent, '#1b1b1f');
    assert.ok(contrastRatio('#000000', '#ffffff') > 20.9);
    // A dark colour: links keep it on light pages, and take style.css's light blue on dark ones, silently.
    const dark = accentPlan('#0b7285');
    assert.deepEqual(dark.link, { light: '#0b7285', dark: '#8db0ff' });
    assert.deepEqual(dark.warnings, []);
    // A pale colour: unreadable as link text on white, so links keep style.css's blue there, and the operator hears it.
    const pale = accentPlan('#ffd43b');
    assert.deepEqual(pale.link, { light: '#2f5fd0', dark: '#ffd43b' });
    assert.equal(pale.warnings.length, 1);
    assert.match(pale.warnings[0] as string, /BRAND_COLOR #ffd43b has a contrast of 1\.\d\d:1 on the light page background #ffffff/);
    // A mid grey reaches 4.5:1 with neither text colour.
    assert.ok(accentPlan('#777777').warnings.some((w) => /with button text/.test(w)));
    assert.deepEqual(load({ BRAND_COLOR: '#ffd43b' }).brand.warnings, pale.warnings);
  });

  it('BRAND_LOGO: an existing PNG, SVG, WebP or JPEG file whose content matches its name, at most 512 KiB', () => {
    const logo = load({ BRAND_LOGO: file('logo.png', PNG) }).brand.logo;
    assert.deepEqual(logo && { type: logo.type, extension: logo.extension, bytes: logo.bytes.length }, {
      type: 'image/png',
      extension: '.png',
      bytes: PNG.length,
    });
    const svg = file('logo.svg', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>');
    assert.equal(load({ BRAND_LOGO: svg }).brand.logo?.type, 'image/svg+xml');
    assert.equal(load({ BRAND_LOGO: file('logo.JPEG', Buffer.from('ffd8ffe000', 'hex')) }).brand.logo?.extension, '.jpg');

    assert.match(problemsOf({ BRAND_LOGO: 'missing.png' }), /BRAND_LOGO cannot read .*missing\.png: no such file/);
    assert.match(
      problemsOf({ BRAND_LOGO: file('logo.gif', 'GIF89a') }),
      /BRAND_LOGO must be a \.png, \.svg, \.webp, \.jpg or \.jpeg file, got .*logo\.gif/,
    );
    assert.match(problemsOf({ BRAND_LOGO: file('fake.png', '<svg></svg>') }), /BRAND_LOGO .*fake\.png does not hold image\/png content/);
    assert.match(problemsOf({ BRAND_LOGO: file('fake.webp', PNG) }), /does not hold image\/webp content/);
    const big = file('big.png', Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]));
    assert.match(problemsOf({ BRAND_LOGO: big }), /BRAND_LOGO must be at most 512 KiB, .*big\.png has 513 KiB/);
    mkdirSync(join(dir, 'folder.png'), { recursive: true });
    assert.match(problemsOf({ BRAND_LOGO: 'folder.png' }), /BRAND_LOGO must name a file, .*folder\.png is not one/);
  });

  it('THEME_CSS: an existing .css file of UTF-8 text', () => {
    assert.equal(load({ THEME_CSS: file('theme.css', ':root { --lk-radius: 0; }\n') }).brand.themeCss, ':root { --lk-radius: 0; }\n');
    assert.match(problemsOf({ THEME_CSS: 'nope.css' }), /THEME_CSS cannot read .*nope\.css: no such file/);
    assert.match(problemsOf({ THEME_CSS: file('theme.txt', 'x') }), /THEME_CSS must be a \.css file/);
    assert.match(
      problemsOf({ THEME_CSS: file('latin1.css', Buffer.from([0x2f, 0x2a, 0xe9, 0x2a, 0x2f])) }),
      /THEME_CSS .*latin1\.css is not UTF-8 text/,
    );
  });

  it('every problem is named at once', () => {
    const message = problemsOf({ BRAND_COLOR: 'blue', BRAND_LOGO: 'none.svg', THEME_CSS: 'none.css' });
    assert.match(message, /BRAND_COLOR/);
    assert.match(message, /BRAND_LOGO/);
    assert.match(message, /THEME_CSS/);
  });
});
