import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';

const PASSWORD = 'correct horse battery staple';

describe('the language of pages and API messages', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  const htmlLang = (text: string) => /<html lang="([^"]+)" dir="(ltr|rtl)">/.exec(text)?.slice(1);

  it('follows Accept-Language: <html lang dir>, Content-Language, Vary, the shell in that language', async () => {
    const page = await new TestClient(service.url).get('/login', { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' });
    assert.equal(page.status, 200);
    assert.deepEqual(htmlLang(page.text), ['de', 'ltr']);
    assert.equal(page.headers.get('content-language'), 'de');
    assert.match(page.headers.get('vary') ?? '', /Accept-Language/);
    assert.match(page.text, /<a href="\/register">Konto erstellen<\/a>/);
    const japanese = await new TestClient(service.url).get('/login', { 'accept-language': 'ja' });
    assert.deepEqual(htmlLang(japanese.text), ['ja', 'ltr']);
    assert.match(japanese.text, />アカウントを作成</);
  });

  it('answers in English without Accept-Language, and for a language it does not offer', async () => {
    for (const header of [undefined, 'ko', '*']) {
      const page = await new TestClient(service.url).get('/login', header ? { 'accept-language': header } : {});
      assert.deepEqual(htmlLang(page.text), ['en', 'ltr'], String(header));
    }
  });

  it('remembers a ?lang= choice in a cookie that outranks Accept-Language, for a year, on every page', async () => {
    const client = new TestClient(service.url, { 'accept-language': 'de' });
    const chosen = await client.get('/login?lang=fr&next=%2Faccount');
    assert.deepEqual(htmlLang(chosen.text), ['fr', 'ltr']);
    const cookie = setCookieLine(chosen, 'lk_lang') ?? '';
    assert.match(cookie, /^lk_lang=fr;/);
    assert.match(cookie, /Max-Age=31536000/);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    // The menu links keep the page and where to go next, nothing else of the query.
    assert.match(chosen.text, /<a href="\/login\?lang=de&amp;next=%2Faccount" lang="de" hreflang="de">Deutsch<\/a>/);
    assert.match(chosen.text, /<a href="\/login\?lang=fr&amp;next=%2Faccount" lang="fr" hreflang="fr" aria-current="true">Français<\/a>/);
    const typed = await client.get('/reset/code?email=someone%40example.com');
    assert.doesNotMatch(/<footer>[\s\S]*<\/footer>/.exec(typed.text)?.[0] ?? 'no menu', /someone/);
    assert.match(typed.text, /<a href="\/reset\/code\?lang=es" lang="es" hreflang="es">Español<\/a>/);
    // A form's answer links to the form's page; an action with no page of its own, to the start page.
    const failed = await client.submitForm('/login', '/login', { email: 'nobody@example.com', password: 'not the password' });
    assert.match(failed.text, /<a href="\/login\?lang=de" lang="de" hreflang="de">Deutsch<\/a>/);
    const action = await client.submitForm('/login', '/account/passkeys/00000000-0000-4000-8000-000000000000/remove', {});
    assert.doesNotMatch(action.text, /href="\/account\/passkeys\/[^"]*lang=/);
    const later = await client.get('/register');
    assert.deepEqual(htmlLang(later.text), ['fr', 'ltr']);
    // An unknown choice changes nothing and sets no cookie.
    const unknown = await client.get('/register?lang=xx');
    assert.deepEqual(htmlLang(unknown.text), ['fr', 'ltr']);
    assert.equal(setCookieLine(unknown, 'lk_lang'), undefined);
  });

  it('gives JSON errors the same code with the message in the request’s language', async () => {
    const body = { email: 'nobody@example.com', password: 'wrong password here' };
    const english = await apiClient(service).postJson('/api/login', body);
    const german = await apiClient(service, { 'accept-language': 'de' }).postJson('/api/login', body);
    const japanese = await apiClient(service, { 'accept-language': 'ja' }).postJson('/api/login', body);
    assert.equal(english.status, 401);
    assert.deepEqual([german.status, japanese.status], [401, 401]);
    assert.deepEqual(english.json(), { error: { code: 'INVALID_CREDENTIALS', message: 'The email address or password is incorrect.' } });
    assert.deepEqual(german.json(), {
      error: { code: 'INVALID_CREDENTIALS', message: 'Die E-Mail-Adresse oder das Passwort ist falsch.' },
    });
    assert.equal(japanese.json().error.code, 'INVALID_CREDENTIALS');
    assert.equal(japanese.json().error.message, 'メールアドレスまたはパスワードが正しくありません。');
  });

  it('names a schema problem in the request’s language too', async () => {
    const german = await apiClient(service, { 'accept-language': 'de' }).postJson('/api/password/forgot', {});
    assert.equal(german.status, 400);
    assert.deepEqual(german.json(), { error: { code: 'VALIDATION_FAILED', message: 'Das Feld „email“ ist erforderlich.' } });
    const french = await apiClient(service, { 'accept-language': 'fr' }).postJson('/api/password/forgot', { email: 42 });
    assert.deepEqual(french.json(), { error: { code: 'VALIDATION_FAILED', message: '« email » doit être de type string.' } });
    const english = await apiClient(service).postJson('/api/password/forgot', { email: 'a@example.com', extra: 1 });
    assert.equal(english.json().error.message, 'The field "extra" is not allowed here.');
  });

  it('stores the language an account uses: at registration, then whenever a signed-in request names one', async () => {
    const email = 'polyglot@example.com';
    const localeOf = async () => (await service.deps.store.users.findByCanonicalEmail(email))?.locale;
    const registered = await apiClient(service, { 'accept-language': 'pt-BR' }).postJson('/api/register', { email, password: PASSWORD });
    assert.equal(registered.status, 202);
    assert.equal(await localeOf(), 'pt-BR');
    const confirmLink = /\/confirm-email\/([A-Za-z0-9_-]+)/.exec((await service.smtp.waitForMail(email)).parsed.text ?? '')?.[1];
    assert.ok(confirmLink);
    assert.equal((await apiClient(service).postJson('/api/confirm', { token: confirmLink })).status, 200);

    const client = apiClient(service);
    assert.equal((await client.postJson('/api/login', { email, password: PASSWORD })).status, 200);
    // No language named (a script without Accept-Language): the stored one stays.
    await client.get('/api/session');
    assert.equal(await localeOf(), 'pt-BR');
    await client.get('/?lang=es');
    assert.equal(await localeOf(), 'es');
    await client.get('/api/session', { 'accept-language': 'ja' });
    // The lk_lang cookie (es) outranks the header.
    assert.equal(await localeOf(), 'es');
  });

  it('a new account without a language named gets none (DEFAULT_LOCALE applies)', async () => {
    await registerUser(service, 'plain@example.com', PASSWORD);
    assert.equal((await service.deps.store.users.findByCanonicalEmail('plain@example.com'))?.locale, null);
  });
});

describe('LOCALES, DEFAULT_LOCALE and the language menu', () => {
  it('offers only LOCALES, falls back to DEFAULT_LOCALE, and lists the offered languages', async () => {
    const service = await startTestService({ LOCALES: 'en,de', DEFAULT_LOCALE: 'de' });
    try {
      const client = new TestClient(service.url);
      const page = await client.get('/login', { 'accept-language': 'fr' });
      assert.match(page.text, /<html lang="de" dir="ltr">/);
      const menu = /<nav aria-label="Sprache">[\s\S]*?<\/nav>/.exec(page.text)?.[0] ?? '';
      assert.deepEqual(
        [...menu.matchAll(/hreflang="([^"]+)"/g)].map((m) => m[1]),
        ['en', 'de'],
      );
      const refused = await client.get('/login?lang=ja');
      assert.match(refused.text, /<html lang="de" dir="ltr">/);
      assert.equal(setCookieLine(refused, 'lk_lang'), undefined);
    } finally {
      await service.close();
    }
  });

  it('shows no menu with one language', async () => {
    const service = await startTestService({ LOCALES: 'es' });
    try {
      const page = await new TestClient(service.url).get('/login', { 'accept-language': 'en' });
      assert.match(page.text, /<html lang="es" dir="ltr">/);
      assert.doesNotMatch(page.text, /class="languages"/);
    } finally {
      await service.close();
    }
  });
});
