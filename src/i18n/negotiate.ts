import { match } from '@formatjs/intl-localematcher';
import Negotiator from 'negotiator';

/**
 * The language of a request: an explicit choice (`?lang=`, then the cookie it left) when offered,
 * else the best match of Accept-Language among the offered ones (`de-AT` finds `de`, `pt` finds
 * `pt-BR`), else the default.
 */
export function negotiateLocale(
  choices: { query?: string | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined },
  offered: readonly string[],
  fallback: string,
): { locale: string; source: 'choice' | 'header' | 'default' } {
  for (const choice of [choices.query, choices.cookie]) {
    const found = choice === undefined ? undefined : offered.find((locale) => locale.toLowerCase() === choice.toLowerCase());
    if (found) return { locale: found, source: 'choice' };
  }
  const header = choices.acceptLanguage;
  if (!header) return { locale: fallback, source: 'default' };
  const requested = new Negotiator({ headers: { 'accept-language': header } })
    .languages()
    .filter((tag) => tag !== '*' && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag));
  if (requested.length === 0) return { locale: fallback, source: 'default' };
  try {
    const found = match(requested, [...offered], '', { algorithm: 'best fit' });
    return found ? { locale: found, source: 'header' } : { locale: fallback, source: 'default' };
  } catch {
    return { locale: fallback, source: 'default' };
  }
}
