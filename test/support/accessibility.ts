import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The WCAG 2.1 AA rule set the pages are held to. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on the page as it is, in the light and then the dark color scheme, and returns one
 * readable line per violation ("dark: color-contrast (serious) .notice.error: ...") — empty when
 * the page passes. The color scheme is put back to light afterwards.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
    for (const v of results.violations) {
      for (const node of v.nodes) {
        found.push(`${scheme}: ${v.id} (${v.impact}) ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

/**
 * Records each page's <title> under the name of the step it shows, so a test can check that
 * different steps never share a title (states of one step, such as the form with errors, may).
 */
export class TitleBook {
  private readonly titles = new Map<string, Set<string>>();

  add(step: string, title: string): void {
    const steps = this.titles.get(title) ?? new Set<string>();
    steps.add(step);
    this.titles.set(title, steps);
  }

  /** Titles shared by more than one step, as "title: step, step". */
  shared(): string[] {
    return [...this.titles].filter(([, steps]) => steps.size > 1).map(([title, steps]) => `${title}: ${[...steps].join(', ')}`);
  }
}
