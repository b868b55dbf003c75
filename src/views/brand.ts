import { createHash } from 'node:crypto';
import { type BrandSettings, DEFAULT_BRAND_NAME } from '../config/brand-config.ts';
import { escapeHtml } from './html.ts';

/**
 * The brand on pages (README, "Theming"). Pages are made with the product's own name and
 * stylesheet (layout.ts); brandPage puts the operator's brand in at the edge, as the base path
 * is (http/base-path.ts): the `<title>` suffix, the header's name or logo, and the stylesheets
 * loaded after ours. Every file is served by Latchkey at a URL holding a hash of its content,
 * so it can be cached for a year and the CSP (`style-src 'self'`, `img-src 'self'`) stays as it is.
 */

/** What layout.ts writes, and brandPage replaces. */
export const PRODUCT_NAME_IN_TITLE = ' · Latchkey</title>';
export const HEADER_BRAND = '<a href="/" class="brand">Latchkey</a>';
export const OWN_STYLESHEET = '<link rel="stylesheet" href="/assets/style.css">';

export interface BrandFile {
  path: string;
  type: string;
  body: Buffer | string;
}

export interface PageBrand {
  name: string;
  /** The logo's app path, e.g. `/assets/brand-logo-1a2b3c4d5e6f.png`. */
  logoPath: string | undefined;
  /** Stylesheets after ours: the one BRAND_COLOR makes, then THEME_CSS. */
  stylesheets: readonly string[];
  /** Everything brandPage's pages load, to be served under /assets/. */
  files: readonly BrandFile[];
}

function hashed(prefix: string, body: Buffer | string, extension: string): string {
  return `/assets/${prefix}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}${extension}`;
}

/** The stylesheet BRAND_COLOR stands for: the accent custom properties, per colour scheme. */
export function brandStylesheet(accent: NonNullable<BrandSettings['accent']>): string {
  const scheme = (link: string) => `--lk-accent: ${accent.accent}; --lk-on-accent: ${accent.onAccent}; --lk-link: ${link};`;
  return `/* BRAND_COLOR */\n:root { ${scheme(accent.link.light)} }\n@media (prefers-color-scheme: dark) {\n  :root { ${scheme(accent.link.dark)} }\n}\n`;
}

export function pageBrand(brand: BrandSettings): PageBrand {
  const files: BrandFile[] = [];
  const logo = brand.logo && {
    path: hashed('brand-logo', brand.logo.bytes, brand.logo.extension),
    type: brand.logo.type,
    body: brand.logo.bytes,
  };
  if (logo) files.push(logo);
  const stylesheets: string[] = [];
  for (const [prefix, css] of [
    ['brand', brand.accent && brandStylesheet(brand.accent)],
    ['theme', brand.themeCss],
  ] as const) {
    if (css === undefined) continue;
    const path = hashed(prefix, css, '.css');
    files.push({ path, type: 'text/css; charset=utf-8', body: css });
    stylesheets.push(path);
  }
  return { name: brand.name, logoPath: logo?.path, stylesheets, files };
}

/** Whether pages differ from the product's own: otherwise brandPage is not needed. */
export function isBranded(brand: PageBrand): boolean {
  return brand.name !== DEFAULT_BRAND_NAME || brand.logoPath !== undefined || brand.stylesheets.length > 0;
}

/**
 * A page with the brand in it. Each marker is replaced once, where layout.ts wrote it: text
 * interpolated into a page has `<` escaped, so nothing a user typed can look like one.
 */
export function brandPage(page: string, brand: PageBrand): string {
  const name = escapeHtml(brand.name);
  const header = brand.logoPath
    ? `<a href="/" class="brand"><img src="${brand.logoPath}" alt="${name}"></a>`
    : `<a href="/" class="brand">${name}</a>`;
  const links = brand.stylesheets.map((path) => `\n<link rel="stylesheet" href="${path}">`).join('');
  return page
    .replace(PRODUCT_NAME_IN_TITLE, () => ` · ${name}</title>`)
    .replace(HEADER_BRAND, () => header)
    .replace(OWN_STYLESHEET, () => `${OWN_STYLESHEET}${links}`);
}
