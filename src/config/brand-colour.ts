/**
 * BRAND_COLOR: a colour written #rgb or #rrggbb, and the WCAG 2.1 contrast arithmetic that picks
 * the text colour on it and warns when it is too pale or too dark as link text.
 */

/** The page backgrounds of style.css (--lk-bg), light and dark: the accent is also link text on them. */
export const PAGE_BACKGROUNDS = { light: '#ffffff', dark: '#16171b' } as const;

/** style.css's own link colours (--lk-link), light and dark: kept where the brand colour is unreadable as text. */
export const DEFAULT_LINKS = { light: '#2f5fd0', dark: '#8db0ff' } as const;

/** The text colours a button may get on the accent (--lk-on-accent): white or the page's dark text. */
const ON_ACCENT = ['#ffffff', '#1b1b1f'] as const;

/** WCAG 2.1 AA for normal text. */
export const MIN_CONTRAST = 4.5;

/** `#abc` or `#aabbcc` as lowercase `#aabbcc`, or undefined for anything else. */
export function parseHexColour(value: string): string | undefined {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase();
  return /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : undefined;
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2.1). */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The text colour for buttons filled with `accent`: whichever of white and near-black contrasts more. */
export function onAccentFor(accent: string): string {
  const [white, black] = ON_ACCENT;
  return contrastRatio(accent, white) >= contrastRatio(accent, black) ? white : black;
}

/** The custom properties BRAND_COLOR sets, per colour scheme, and what the operator should hear. */
export interface AccentPlan {
  /** --lk-accent (button fill, borders) and --lk-on-accent (button text) in both schemes. */
  accent: string;
  onAccent: string;
  /** --lk-link per scheme: the brand colour where it reaches 4.5:1 on that page background, else style.css's own link colour. */
  link: { light: string; dark: string };
  warnings: string[];
}

/**
 * Where the brand colour is text, it is used only with enough contrast: buttons get whichever
 * text colour contrasts more, links keep style.css's colour in a scheme where the brand colour
 * is too pale or too dark (a warning says so for the light scheme). THEME_CSS can still set any of them.
 */
export function accentPlan(accent: string): AccentPlan {
  const warnings: string[] = [];
  const link = { light: accent, dark: accent };
  for (const scheme of ['light', 'dark'] as const) {
    const ratio = contrastRatio(accent, PAGE_BACKGROUNDS[scheme]);
    if (ratio < MIN_CONTRAST) {
      link[scheme] = DEFAULT_LINKS[scheme];
      // Most brand colours are too dark for links on the dark page: that fallback is the rule (README), not news.
      if (scheme === 'dark') continue;
      warnings.push(
        `BRAND_COLOR ${accent} has a contrast of ${ratio.toFixed(2)}:1 on the ${scheme} page background ${PAGE_BACKGROUNDS[scheme]} (WCAG AA asks for ${MIN_CONTRAST}:1): links on ${scheme} pages keep ${DEFAULT_LINKS[scheme]} (set --lk-link in THEME_CSS to choose another)`,
      );
    }
  }
  const onAccent = onAccentFor(accent);
  const buttonRatio = contrastRatio(accent, onAccent);
  if (buttonRatio < MIN_CONTRAST) {
    warnings.push(
      `BRAND_COLOR ${accent} has a contrast of at most ${buttonRatio.toFixed(2)}:1 with button text (${onAccent}; WCAG AA asks for ${MIN_CONTRAST}:1): choose a lighter or darker colour`,
    );
  }
  return { accent, onAccent, link, warnings };
}
