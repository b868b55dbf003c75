import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { BRAND_COLOR, BRAND_NAME, type ThemeFiles, writeThemeFiles } from '../support/theme.ts';

const EMAIL = 'brand@example.com';
const PASSWORD = 'correct horse battery';

/** The brand's assets a page links to: the logo, then the stylesheets after ours. */
function brandAssetsOf(page: string): { logo: string; stylesheets: string[] } {
  const logo = /<a href="[^"]*" class="brand"><img src="([^"]+)" alt="Acme ID"><\/a>/.exec(page)?.[1];
  assert.ok(logo, 'the header shows the logo, named by BRAND_NAME');
  const stylesheets = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1] as string);
  return { logo, stylesheets };
}

describe('theming: BRAND_NAME, BRAND_LOGO, BRAND_COLOR, THEME_CSS, TEMPLATES_DIR', () => {
  let theme: ThemeFiles;
  let service: TestService;
  let underPath: TestService;

  before(async () => {
    theme = writeThemeFiles();
    service = await startServiceAtOwnOrigin(theme.env);
    underPath = await startServiceAtOwnOrigin(theme.env, {}, { path: '/auth' });
  });
  after(async () => {
    await service?.close();
    await underPath?.close();
    theme?.remove();
  });

  it('pages carry the brand name, the logo and the stylesheets after ours, under a CSP without inline styles', async () => {
    const client = new TestClient(service.url);
    for (const path of ['/login', '/register', '/forgot-password', '/no-such-page', '/%']) {
      const page = await client.get(path);
      assert.match(page.text, /<title>[^<]* · Acme ID<\/title>/, path);
      assert.doesNotMatch(page.text, /Latchkey<\/a>/, path);
      const { logo, stylesheets } = brandAssetsOf(page.text);
      assert.match(logo, /^\/assets\/brand-logo-[0-9a-f]{16}\.png$/, path);
      assert.deepEqual(
        stylesheets.map((s) => s.replace(/[0-9a-f]{16}/, 'HASH')),
        ['/assets/style.css', '/assets/brand-HASH.css', '/assets/theme-HASH.css'],
        path,
      );
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /style-src 'self'(;|$)/, path);
      assert.match(csp, /img-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|data:|\*/, path);
      assert.doesNotMatch(page.text, /<style|\sstyle="/, `${path}: no inline style`);
    }
  });

  it('serves the logo and the stylesheets at their hashed URLs, cached for a year', async () => {
    const client = new TestClient(service.url);
    const { logo, stylesheets } = brandAssetsOf((await client.get('/login')).text);
    const image = await fetch(`${service.url}${logo}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(image.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), theme.logo);

    const brandCss = await client.get(stylesheets[1] as string);
    assert.equal(brandCss.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(brandCss.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(
      brandCss.text,
      new RegExp(`:root \\{ --lk-accent: ${BRAND_COLOR}; --lk-on-accent: #ffffff; --lk-link: ${BRAND_COLOR}; \\}`),
    );
    const themeCss = await client.get(stylesheets[2] as string);
    assert.equal(themeCss.text, theme.themeCss);
    assert.equal(themeCss.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    // Another content hash is no asset.
    assert.equal((await client.get('/assets/theme-0000000000000000.css')).status, 404);
  });

  it('mails carry the brand: sender, subjects, texts, the logo from PUBLIC_URL and the TEMPLATES_DIR override', async () => {
    await registerUser(service, EMAIL, PASSWORD, 'Ada <Brand>');
    const welcome = service.smtp.mails.find((m) => m.envelopeTo.includes(EMAIL));
    assert.ok(welcome);
    assert.deepEqual(welcome.parsed.from, { name: BRAND_NAME, address: 'no-reply@127.0.0.1' });
    assert.equal(welcome.parsed.subject, `Welcome to ${BRAND_NAME}: confirm your email address`);
    assert.match(welcome.parsed.text ?? '', /\n\nAcme ID\s*$/);
    const { logo } = brandAssetsOf((await new TestClient(service.url).get('/login')).text);
    assert.ok(welcome.parsed.html?.includes(`<img src="${service.url}${logo}" alt="Acme ID" height="40">`), welcome.parsed.html);
    assert.match(welcome.parsed.html ?? '', new RegExp(`<a href="${service.url}/confirm-email/[^"]+" style="color:${BRAND_COLOR}">`));

    const forgot = await apiClient(service).postJson('/api/password/forgot', { email: EMAIL });
    assert.equal(forgot.status, 202);
    const reset = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password for Acme ID/ });
    const link = new RegExp(`<a href="(${service.url}/reset-password/[A-Za-z0-9_-]+)">Choose a new password</a> within 1 hour\\.`).exec(
      reset.parsed.html ?? '',
    );
    assert.ok(link, reset.parsed.html);
    assert.match(reset.parsed.html ?? '', /<h1>Acme ID<\/h1><p>Hello Ada &lt;Brand&gt;,<\/p>/);
    // No .txt override: the built-in text, with the same link and the brand.
    assert.ok(reset.parsed.text?.includes(link[1] as string));
    assert.match(reset.parsed.text ?? '', /\n\nAcme ID\s*$/);
  });

  it('under a base path, the brand files are linked and served under it', async () => {
    const client = new TestClient(underPath.url);
    const page = await client.get('/auth/login');
    const { logo, stylesheets } = brandAssetsOf(page.text);
    assert.match(logo, /^\/auth\/assets\/brand-logo-[0-9a-f]{16}\.png$/);
    assert.deepEqual(
      stylesheets.map((s) => s.replace(/[0-9a-f]{16}/, 'HASH')),
      ['/auth/assets/style.css', '/auth/assets/brand-HASH.css', '/auth/assets/theme-HASH.css'],
    );
    assert.equal((await fetch(`${underPath.url}${logo}`)).status, 200);
    for (const path of stylesheets) assert.equal((await client.get(path)).status, 200, path);
  });

  it('a brand colour too pale for link text on white is warned about at startup, and links keep the readable blue', async () => {
    const log = new LogCapture();
    const pale = await startTestService({ BRAND_COLOR: '#ffd43b', LOG_LEVEL: 'warn' }, {}, { logDestination: log });
    try {
      assert.ok(log.has(/^BRAND_COLOR #ffd43b has a contrast of 1\.\d\d:1 on the light page background #ffffff/), log.lines.join(''));
      const page = await new TestClient(pale.url).get('/login');
      const brandCss = /<link rel="stylesheet" href="(\/assets\/brand-[0-9a-f]{16}\.css)">/.exec(page.text)?.[1];
      assert.ok(brandCss);
      assert.match(
        (await new TestClient(pale.url).get(brandCss)).text,
        /:root \{ --lk-accent: #ffd43b; --lk-on-accent: #1b1b1f; --lk-link: #2f5fd0; \}/,
      );
      // Without BRAND_NAME the header and titles keep the product's name.
      assert.match(page.text, /<title>Sign in · Latchkey<\/title>/);
      assert.match(page.text, /<a href="\/" class="brand">Latchkey<\/a>/);
    } finally {
      await pale.close();
    }
  });
});
