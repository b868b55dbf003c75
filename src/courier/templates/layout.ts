import { publicLink } from '../../config/public-url.ts';
import { currentLocale, t } from '../../i18n/index.ts';
import { intlLocale } from '../../i18n/locales.ts';
import { type Html, html } from '../../views/html.ts';
import { absoluteTime, timeFormatFor } from '../../views/time.ts';
import type { MailContext, RenderedMail } from './types.ts';

/** Builds a link from PUBLIC_URL only (S9), under its path if it has one: no request header ever reaches a mail. */
export function link(context: MailContext, path: string): string {
  return publicLink(context.publicUrl, path);
}

/** A labelled link of a mail: `key` is the catalogue message of its label. */
export function button(key: string, url: string): { label: string; url: string } {
  return { label: t(key), url };
}

/** The closing link of every security notice: the account's recent security activity page. */
export function activityLink(context: MailContext): { label: string; url: string } {
  return button('mail.common.activity', link(context, '/account/activity'));
}

export function greeting(name: string | null): string {
  return name ? t('mail.greeting.named', { name }) : t('mail.greeting.anonymous');
}

/**
 * A lifetime in words in the current language, in the largest unit that divides it ("1 hour",
 * "15 minutes", "2 Tage", "15 分"): Intl's unit formatting knows each language's plurals.
 */
export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return units(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return units(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return units(seconds / 60, 'minute');
  return units(seconds, 'second');
}

function units(n: number, unit: 'day' | 'hour' | 'minute' | 'second'): string {
  return new Intl.NumberFormat(intlLocale(currentLocale()), { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

/** The date and time of an event in the current language, in UTC and saying so ("January 2, 2026 at 03:04 AM UTC"). */
export function formatWhen(ms: number): string {
  return absoluteTime(ms, timeFormatFor(currentLocale(), ms));
}

/** One mail: a text part and an HTML part carrying the same paragraphs and links. */
export function mail(context: MailContext, subject: string, paragraphs: Array<string | { label: string; url: string }>): RenderedMail {
  const text = paragraphs.map((p) => (typeof p === 'string' ? p : `${p.label}:\n${p.url}`)).join('\n\n');
  const linkStyle = context.accent ? html` style="color:${context.accent}"` : '';
  const body: Html[] = paragraphs.map((p) =>
    typeof p === 'string'
      ? html`<p>${p}</p>`
      : html`<p><a href="${p.url}"${linkStyle}>${p.label}</a></p><p style="font-size:12px;color:#555">${p.url}</p>`,
  );
  const logo = context.logoUrl ? html`<p><img src="${context.logoUrl}" alt="${context.productName}" height="40"></p>` : '';
  const page = html`<!doctype html><html lang="${currentLocale()}"><body style="font-family:sans-serif;line-height:1.5;max-width:560px">${logo}${body}<p style="color:#555">${context.productName}</p></body></html>`;
  return { subject, text: `${text}\n\n${context.productName}\n`, html: page.value };
}
