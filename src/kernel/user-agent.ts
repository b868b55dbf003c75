import { t } from '../i18n/index.ts';

/**
 * A short, human description of a User-Agent header ("Chrome on Windows") for the sessions page.
 * A handful of ordered patterns, not a full parser: the order matters (Edge and Opera also say
 * "Chrome", Chrome also says "Safari", Android also says "Linux"). The words around the names
 * are in the current language (src/i18n, settings.browser.*); the names are everyone's.
 */
const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|Chromium\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
  [/node|undici/i, 'Node.js'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return t('settings.browser.unknown');
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return t('settings.browser.on', { browser, system });
  return browser ?? (system ? t('settings.browser.onSystem', { system }) : t('settings.browser.unknown'));
}
