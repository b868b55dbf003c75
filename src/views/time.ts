import { intlLocale } from '../i18n/locales.ts';
import { type Html, html } from './html.ts';

/** How a page shows times: in the reader's locale, in a named time zone, relative to now. */
export interface TimeFormat {
  /** The BCP 47 tag Intl formats with: the page's language (src/i18n). */
  readonly locale: string;
  /** The IANA zone times are shown in; "UTC" unless the reader's zone is known. */
  readonly timeZone: string;
  /** Now, from the injected clock: "3 hours ago" is counted from it. */
  readonly nowMs: number;
}

/** Times closer to now than this read as "3 hours ago", with the full time after them. */
const RELATIVE_WITHIN_MS = 7 * 24 * 3600 * 1000;

/** The TimeFormat for a page: its language, UTC (the server cannot know the reader's zone), and now. */
export function timeFormatFor(locale: string, nowMs: number, timeZone = 'UTC'): TimeFormat {
  return { locale: intlLocale(locale), timeZone, nowMs };
}

/** The date and time with its zone, e.g. "November 24, 2026 at 02:20 AM UTC" (en) or "24. November 2026 um 02:20 UTC" (de). */
export function absoluteTime(ms: number, format: TimeFormat): string {
  return new Intl.DateTimeFormat(format.locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: format.timeZone,
    timeZoneName: 'short',
  }).format(ms);
}

/** "3 hours ago", "in 5 minutes", "yesterday": in the reader's language, in the largest fitting unit. */
export function relativeTime(ms: number, format: TimeFormat): string {
  const seconds = Math.round((ms - format.nowMs) / 1000);
  const rtf = new Intl.RelativeTimeFormat(format.locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** The time as plain text: relative and absolute when recent ("3 hours ago, November 24, … UTC"), else absolute. */
export function timeText(ms: number, format: TimeFormat): string {
  const absolute = absoluteTime(ms, format);
  return Math.abs(ms - format.nowMs) < RELATIVE_WITHIN_MS ? `${relativeTime(ms, format)} (${absolute})` : absolute;
}

/** A `<time datetime="…">` element holding timeText, so machines read the exact instant. */
export function timeElement(ms: number, format: TimeFormat): Html {
  return html`<time datetime="${new Date(ms).toISOString()}">${timeText(ms, format)}</time>`;
}
