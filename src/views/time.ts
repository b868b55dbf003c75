import { type Html, html } from './html.ts';

/** How a page shows times: in the reader's locale, in a named time zone, relative to now. */
export interface TimeFormat {
  /** A BCP 47 tag Intl supports, from the request's Accept-Language ("en" when none fits). */
  readonly locale: string;
  /** The IANA zone times are shown in; "UTC" unless the reader's zone is known. */
  readonly timeZone: string;
  /** Now, from the injected clock: "3 hours ago" is counted from it. */
  readonly nowMs: number;
}

const FALLBACK_LOCALE = 'en';
/** Times closer to now than this read as "3 hours ago", with the full time after them. */
const RELATIVE_WITHIN_MS = 7 * 24 * 3600 * 1000;

/**
 * The first language of an Accept-Language header (highest q first, as listed on ties) that
 * Intl formats dates in; malformed entries are skipped, and "en" is the answer when none fits.
 */
export function localeFromAcceptLanguage(header: string | undefined): string {
  if (!header) return FALLBACK_LOCALE;
  const ranked = header
    .slice(0, 512)
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...params] = entry.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((e) => e.tag !== '' && e.tag !== '*' && e.q > 0 && Number.isFinite(e.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    try {
      const [supported] = Intl.DateTimeFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // Not a well-formed language tag: try the next one.
    }
  }
  return FALLBACK_LOCALE;
}

/** The TimeFormat for a request: its Accept-Language, UTC (the server cannot know the reader's zone), and now. */
export function timeFormatFor(acceptLanguage: string | undefined, nowMs: number, timeZone = 'UTC'): TimeFormat {
  return { locale: localeFromAcceptLanguage(acceptLanguage), timeZone, nowMs };
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
