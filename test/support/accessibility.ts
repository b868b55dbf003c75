import assert from 'node:assert/strict';
import { it } from 'node:test';
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

/**
 * The steps of an axe walk through pages in one browser tab (test/browser/accessibility*.ts):
 * `step` declares a test that fails with everything its audits found; `audit` checks the page as
 * it is (a `<title>` naming the step, recorded in `titles`, and no axe violation in either color
 * scheme); `visit` opens a path and audits it; `submit` presses a button and waits for the page.
 * `page`, `at` (a path to a URL) and `setupError` are read when a step runs, after `before`.
 */
export function axeWalk(o: { page: () => Page; at: (path: string) => string; setupError: () => unknown }) {
  const titles = new TitleBook();
  /** What the audits of the running step found; the step fails at its end when it is not empty. */
  let found: string[] = [];
  const step = (name: string, fn: () => Promise<void> | void) =>
    it(name, async () => {
      const setupError = o.setupError();
      if (setupError) throw setupError;
      found = [];
      await fn();
      assert.deepEqual(found, []);
    });
  const audit = async (stepName: string) => {
    const page = o.page();
    await page.waitForLoadState();
    const title = await page.title();
    assert.match(title, /^(Error: )?\S.* · Latchkey$/, `${stepName} has a title naming its step`);
    titles.add(stepName, title.replace(/^Error: /, ''));
    const where = `${stepName} (${new URL(page.url()).pathname})`;
    for (const violation of await axeViolations(page)) found.push(`${where} ${violation}`);
  };
  const visit = async (path: string, stepName: string) => {
    await o.page().goto(o.at(path));
    await audit(stepName);
  };
  const submit = async (button: string) => {
    const page = o.page();
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.waitForLoadState();
  };
  return { titles, step, audit, visit, submit };
}
