import assert from 'node:assert/strict';
import type { TestService } from './app.ts';
import { TestClient, type TestResponse } from './client.ts';
import { eventually } from './flows.ts';
import { assertNoUntranslatedText, LOCALES, PSEUDO_LOCALE } from './i18n.ts';
import type { ReceivedMail } from './smtp.ts';

/** What a walk does with each page it reaches: `where` names the page and state, `data` what the test typed. */
export type Visit = (response: TestResponse, where: string, data?: readonly string[]) => void;

/**
 * The check of a page in `locale`: an HTML page (no server error) that says it is in that
 * language; in the pseudo-locale, no text outside the catalogues either.
 */
export function visitIn(locale: string): Visit {
  return (response, where, data = []) => {
    assert.ok(response.status < 500, `${where}: status ${response.status}`);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/, `${where}: an HTML page`);
    assert.ok(response.text.includes(`<html lang="${locale}"`), `${where}: <html lang="${locale}">`);
    if (locale === PSEUDO_LOCALE) assertNoUntranslatedText(response.text, `${where} (${locale})`, data);
  };
}

/** The six languages and the pseudo-locale, each with a short tag for the addresses a walk types. */
export const WALK_LOCALES: readonly string[] = [PSEUDO_LOCALE, ...LOCALES];

export function tagOf(locale: string): string {
  return locale.toLowerCase().replace(/[^a-z]/g, '');
}

/** A client that speaks `locale`: its `?lang=` choice is kept in the language cookie for the next requests. */
export async function clientIn(service: TestService, locale: string): Promise<TestClient> {
  const client = new TestClient(service.url);
  await client.get(`/login?lang=${encodeURIComponent(locale)}`);
  assert.equal(client.cookies.get('lk_lang'), locale, 'the language choice is remembered');
  return client;
}

/** The page a 303 leads to (the answer itself when it is not a redirect). */
export async function follow(client: TestClient, response: TestResponse): Promise<TestResponse> {
  assert.ok(response.status < 500, `status ${response.status}: ${response.text.slice(0, 300)}`);
  return response.status === 303 && response.location ? client.get(response.location) : response;
}

const seen = new WeakSet<ReceivedMail>();

/**
 * The path of the next link to `pathPrefix` mailed to `to` (not taken before), found by its path
 * so the mail's own language does not matter.
 */
export async function mailedPath(service: TestService, to: string, pathPrefix: string): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s/]+(${pathPrefix.replace(/\//g, '\\/')}[A-Za-z0-9_-]+)`);
  return eventually(async () => {
    for (const mail of service.smtp.mailsTo(to)) {
      const path = pattern.exec(mail.parsed.text ?? '')?.[1];
      if (path && !seen.has(mail)) {
        seen.add(mail);
        return path;
      }
    }
    return undefined;
  }, `a mail to ${to} with a ${pathPrefix} link`);
}
