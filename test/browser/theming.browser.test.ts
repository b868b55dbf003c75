import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile } from '../support/browser.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { BRAND_COLOR, type ThemeFiles, writeThemeFiles } from '../support/theme.ts';

/** `#rrggbb` as Chromium reports a computed colour. */
function rgbOf(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * A themed sign-in page in Chromium: the brand colour reaches the primary button through the
 * custom properties, the logo (an SVG wordmark) loads under the strict CSP, and the operator
 * stylesheet applies.
 * The screenshot goes to test-results/; UPDATE_THEMING_EXAMPLE=1 also copies it to
 * docs/theming-example.png, the README's picture.
 */
describe('theming in Chromium', () => {
  let theme: ThemeFiles;
  let service: TestService;
  let browser: Browser;

  before(async () => {
    theme = writeThemeFiles();
    browser = await launchChromium();
    service = await startServiceAtOwnOrigin({ ...theme.env, BRAND_LOGO: theme.svgLogo });
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    theme?.remove();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`a themed sign-in page (${colorScheme}): accent button, logo, operator stylesheet, no CSP violation`, async () => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 480, height: 640 } });
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        collectPageProblems(page, problems);
        await page.goto(service.at('/login'));
        await page.waitForLoadState('load');
        assert.equal(await page.title(), 'Sign in · Acme ID');
        const button = page.getByRole('button', { name: 'Sign in', exact: true });
        const style = await button.evaluate((el) => {
          const s = getComputedStyle(el);
          return { background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius, font: s.fontFamily };
        });
        assert.equal(style.background, rgbOf(BRAND_COLOR), 'the primary button is filled with BRAND_COLOR');
        assert.equal(style.color, 'rgb(255, 255, 255)', 'with the text colour chosen for it');
        assert.equal(style.radius, '0px', 'THEME_CSS comes after ours and wins');
        const logo = page.getByRole('img', { name: 'Acme ID' });
        const size = await logo.evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, complete: img.complete }));
        assert.ok(size.complete && size.natural > 0, `the logo loaded (naturalWidth ${size.natural})`);
        assert.equal(size.natural, 160);
        assert.deepEqual(problems, []);
        const shot = resultFile(`theming-sign-in-${colorScheme}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        if (colorScheme === 'light' && process.env.UPDATE_THEMING_EXAMPLE === '1') {
          copyFileSync(shot, fileURLToPath(new URL('../../docs/theming-example.png', import.meta.url)));
        }
      } finally {
        await context.close();
      }
    });
  }
});
