import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';
import { assertNoMissingMessages, assertNoUntranslatedText, LOCALES, PSEUDO_ENV, PSEUDO_LOCALE } from '../support/i18n.ts';

const EMAIL = 'walker@example.com';
const NAME = 'Walker Person';
const PASSWORD = 'correct horse battery staple';

/** Pages that are not for people to read, or that need a token or a state their own walker sets up. */
function walkable(path: string): boolean {
  return (
    !path.includes(':') &&
    !path.startsWith('/api/') &&
    !path.startsWith('/assets/') &&
    !path.startsWith('/.well-known/') &&
    !['/healthz', '/readyz', '/metrics', '*'].includes(path)
  );
}

/**
 * Every page reached by a plain GET (each flow's own i18n walker covers its states: errors,
 * success notices, pages behind a token), signed out and signed in: in the pseudo-locale no text
 * may bypass the catalogues, and in each of the six languages no message may be missing.
 */
describe('every page in every language', () => {
  let service: TestService;
  let paths: string[];
  let anonymous: TestClient;
  let signedIn: TestClient;
  before(async () => {
    // Every optional feature on, so that every page exists.
    service = await startTestService({ ...PSEUDO_ENV, USERNAMES: 'optional', PASSWORD_OPTIONAL: 'true' });
    const found: RouteOptions[] = [];
    const app = await buildApp(service.deps, { onRoute: (route) => void found.push(route) });
    await app.ready();
    await app.close();
    paths = [...new Set(found.filter((route) => [route.method].flat().includes('GET')).map((route) => route.url))].filter(walkable).sort();
    await registerUser(service, EMAIL, PASSWORD, NAME);
    anonymous = apiClient(service);
    signedIn = await signedInClient(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  async function walk(locale: string, check: (page: string, where: string) => void): Promise<number> {
    let pages = 0;
    for (const [who, client] of [
      ['signed out', anonymous],
      ['signed in', signedIn],
    ] as const) {
      for (const path of paths) {
        const response = await client.get(`${path}?lang=${encodeURIComponent(locale)}`);
        assert.ok(response.status < 500, `${who} ${path}: ${response.status}`);
        if (!(response.headers.get('content-type') ?? '').startsWith('text/html')) continue;
        assert.match(response.text, new RegExp(`<html lang="${locale}" dir="ltr">`), `${who} ${path}`);
        check(response.text, `${who} ${path} (${response.status})`);
        pages += 1;
      }
    }
    return pages;
  }

  it('finds the pages to walk', () => {
    assert.ok(paths.length >= 30, `${paths.length} pages: ${paths.join(' ')}`);
    for (const path of ['/', '/login', '/register', '/forgot-password', '/account/password', '/account/activity']) {
      assert.ok(paths.includes(path), path);
    }
  });

  it('shows no text outside the catalogues (pseudo-locale)', async () => {
    const pages = await walk(PSEUDO_LOCALE, (page, where) => assertNoUntranslatedText(page, where, [EMAIL, NAME, 'Node.js']));
    assert.ok(pages >= 40, `${pages} pages walked`);
  });

  it('finds every message in each of the six languages', async () => {
    for (const locale of LOCALES) await walk(locale, () => {});
    assertNoMissingMessages();
  });
});
