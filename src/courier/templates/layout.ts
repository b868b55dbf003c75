import { publicLink } from '../../config/public-url.ts';
import { type Html, html } from '../../views/html.ts';
import type { MailContext, RenderedMail } from './types.ts';

/** Builds a link from PUBLIC_URL only (S9), under its path if it has one: no request header ever reaches a mail. */
export function link(context: MailContext, path: string): string {
  return publicLink(context.publicUrl, path);
}

/** The closing link of every security notice: the account's recent security activity page. */
export function activityLink(context: MailContext): { label: string; url: string } {
  return { label: 'See your recent security activity', url: link(context, '/account/activity') };
}

export function greeting(name: string | null): string {
  return name ? `Hello ${name},` : 'Hello,';
}

export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** One mail: a text part and an HTML part carrying the same paragraphs and links. */
export function mail(context: MailContext, subject: string, paragraphs: Array<string | { label: string; url: string }>): RenderedMail {
  const text = paragraphs.map((p) => (typeof p === 'string' ? p : `${p.label}:\n${p.url}`)).join('\n\n');
  const body: Html[] = paragraphs.map((p) =>
    typeof p === 'string'
      ? html`<p>${p}</p>`
      : html`<p><a href="${p.url}">${p.label}</a></p><p style="font-size:12px;color:#555">${p.url}</p>`,
  );
  const page = html`<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:560px">${body}<p style="color:#555">${context.productName}</p></body></html>`;
  return { subject, text: `${text}\n\n${context.productName}\n`, html: page.value };
}
