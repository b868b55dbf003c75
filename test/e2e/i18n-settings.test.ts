import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { activityLabel, activityPage, DESCRIBED_EVENT_TYPES } from '../../src/flows/settings/activity.ts';
import { passwordLink, phoneSection, twoStepSection } from '../../src/flows/settings/views.ts';
import { missingMessages } from '../../src/i18n/catalogue.ts';
import { t, withLocale } from '../../src/i18n/index.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { timeFormatFor } from '../../src/views/time.ts';
import { linkIn } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { assertNoUntranslatedText, LOCALES, PSEUDO_ENV, PSEUDO_LOCALE } from '../support/i18n.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';
/** What every limit is raised to here, so that the pages, not the limits, answer. */
const ROOMY = { RATE_LIMIT_REAUTH_SESSION: '1000/900', RATE_LIMIT_REAUTH_ACCOUNT: '1000/900', RATE_LIMIT_FORGOT_EMAIL: '1000/3600' };
/** Names that are everyone's: browsers and systems the pages name, the test client's own. */
const NAMES = ['Chrome', 'Firefox', 'Linux', 'Windows', 'Node.js'];

/** One page seen: where, its HTML, and the data on it (addresses, names) that is not translated. */
type Seen = { where: string; html: string; data?: string[] };

/** A session for an account, made directly, as a sign-in would (recent: it just signed in). */
async function sessionFor(service: TestService, email: string, locale: string): Promise<TestClient> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  assert.ok(user, email);
  const { token } = await service.deps.sessions.create(user.id, { ip: '127.0.0.1', userAgent: CHROME_LINUX }, { persistent: false });
  const client = new TestClient(service.url, { origin: service.config.publicUrl.origin, 'user-agent': CHROME_LINUX });
  client.cookies.set('lk_session', token);
  assert.equal((await client.get(`/account/sessions?lang=${encodeURIComponent(locale)}`)).status, 200);
  return client;
}

/** The newest link under `prefix` mailed to `to`. */
async function mailedLink(service: TestService, to: string, prefix: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = service.smtp
      .mailsTo(to)
      .reverse()
      .find((m) => (m.parsed.text ?? '').includes(prefix));
    if (mail) return linkIn(mail, prefix);
    assert.ok(Date.now() < deadline, `a ${prefix} link mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The landing page of an emailed link, as a browser opening it sees it. */
async function landing(client: TestClient, link: string): Promise<TestResponse> {
  const opened = await client.get(new URL(link).pathname);
  assert.equal(opened.status, 303, opened.text.slice(0, 200));
  return client.get(opened.location as string);
}

/**
 * Every page of the settings and "Confirm it is you" in every state, in `locale`: the password
 * and email forms (empty, their problems, expired), the email-change links before and after the
 * change, the sessions (with a notice and an error), the activity, the confirm page (recent or
 * not, password, code, spent code, passkey) for an account with a password and one without.
 */
async function walk(service: TestService, clock: ManualClock, locale: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const tag = locale.toLowerCase();
  const email = `p-${tag}@example.com`;
  const moved = `moved-${tag}@example.com`;
  const bare = `n-${tag}@example.com`;
  const data = [email, moved, bare, 'Pat', ...NAMES];
  const see = (where: string, page: TestResponse, status: number) => {
    assert.equal(page.status, status, `${locale} ${where}: ${page.location ?? page.text.slice(0, 300)}`);
    seen.push({ where, html: page.text, data });
  };
  await registerUser(service, email, PASSWORD, 'Pat');
  await registerUser(service, bare, '');
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  assert.ok(user);
  const signed = await sessionFor(service, email, locale);
  const noPassword = await sessionFor(service, bare, locale);
  const form = async (where: string, path: string, fields: Record<string, string>, status: number) => {
    const page = await signed.get(path);
    see(where, await signed.postForm(path, { _csrf: page.csrfToken(), ...fields }), status);
  };

  // Change password
  see('password', await signed.get('/account/password'), 200);
  await form('password: empty', '/account/password', { current_password: '', new_password: '', new_password_confirm: '' }, 400);
  const mismatch = { current_password: PASSWORD, new_password: NEW_PASSWORD, new_password_confirm: 'another passphrase' };
  await form('password: mismatch', '/account/password', mismatch, 400);
  const wrong = { current_password: 'not it at all', new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD };
  await form('password: wrong current', '/account/password', wrong, 400);
  await form(
    'password: too short',
    '/account/password',
    { current_password: PASSWORD, new_password: 'short', new_password_confirm: 'short' },
    400,
  );
  see('password: expired', await signed.postForm('/account/password', mismatch), 403);

  // Change email, and its two links
  see('email', await signed.get('/account/email'), 200);
  await form('email: invalid', '/account/email', { email: 'not an address', password: '' }, 400);
  await form('email: wrong password', '/account/email', { email: moved, password: 'not it at all' }, 400);
  await form('email: same address', '/account/email', { email, password: PASSWORD }, 400);
  see('email: expired', await signed.postForm('/account/email', { email: moved }), 403);
  const requested = await signed.get('/account/email');
  const sent = await signed.postForm('/account/email', { _csrf: requested.csrfToken(), email: moved, password: PASSWORD });
  assert.equal(sent.location, '/?notice=email-change-sent');
  const undo = await mailedLink(service, email, '/email-change/undo/');
  see('undo link, before the change', await landing(signed, undo), 200);
  const confirmPage = await landing(signed, await mailedLink(service, moved, '/email-change/confirm/'));
  see('confirm link', confirmPage, 200);
  assert.equal((await signed.postForm('/email-change/confirm', { _csrf: confirmPage.csrfToken() })).status, 303);
  see('undo link, after the change', await landing(signed, undo), 200);

  // Sessions and activity
  const other = await service.deps.sessions.create(user.id, { ip: '203.0.113.9', userAgent: FIREFOX_WINDOWS }, { persistent: true });
  const sessions = await signed.get('/account/sessions');
  see('sessions', sessions, 200);
  see('sessions: unknown one', await signed.postForm('/account/sessions/revoke', { _csrf: sessions.csrfToken(), session_id: 'nope' }), 404);
  const otherId = (await service.deps.sessions.list(user.id, '')).find((s) => s.browser.includes('Firefox'))?.id;
  assert.ok(otherId && other.token, 'the other session is listed');
  const revoked = await signed.postForm('/account/sessions/revoke', { _csrf: sessions.csrfToken(), session_id: otherId });
  see('sessions: revoked', await signed.get(revoked.location as string), 200);
  see('activity', await signed.get('/account/activity'), 200);

  // An account without a password: set one, email without a password, confirm by code only
  see('set password', await noPassword.get('/account/password'), 200);
  const setForm = await noPassword.get('/account/password');
  const setMismatch = { _csrf: setForm.csrfToken(), new_password: NEW_PASSWORD, new_password_confirm: 'another passphrase' };
  see('set password: mismatch', await noPassword.postForm('/account/password', setMismatch), 400);
  see('email, no password', await noPassword.get('/account/email'), 200);
  see('confirm, no password', await noPassword.get('/account/confirm?next=%2Faccount%2Femail'), 200);

  // Confirm it is you: recent, then not
  see('confirm: recent', await signed.get('/account/confirm?next=%2Faccount%2Femail'), 200);
  clock.advanceSeconds(601);
  const confirm = await signed.get('/account/confirm?next=%2Faccount%2Femail');
  see('confirm', confirm, 200);
  const post = (path: string, fields: Record<string, string>) =>
    signed.postForm(path, { _csrf: confirm.csrfToken(), next: '/account/email', ...fields });
  see('confirm: wrong password', await post('/account/confirm', { password: 'not it at all' }), 400);
  see('confirm: empty password', await post('/account/confirm', { password: '' }), 400);
  see('confirm: expired', await signed.postForm('/account/confirm', { next: '/account/email', password: 'x' }), 403);
  const asked = await post('/account/confirm/code/send', {});
  assert.equal(asked.status, 303);
  see('confirm: code sent', await signed.get(asked.location as string), 200);
  see('confirm: empty code', await post('/account/confirm/code', { code: '' }), 400);
  see('confirm: wrong code', await post('/account/confirm/code', { code: '00000000' }), 400);
  let spent: TestResponse | undefined;
  for (let i = 0; i < 8 && !spent; i++) {
    const answer = await post('/account/confirm/code', { code: '00000000' });
    if (!answer.text.includes('id="code"')) spent = answer;
  }
  assert.ok(spent, 'the code is spent after its wrong entries');
  see('confirm: code spent', spent, 400);
  see('confirm: send expired', await signed.postForm('/account/confirm/code/send', { next: '/account/email' }), 403);
  await service.deps.store.passkeys.create({
    id: randomUUID(),
    userId: user.id,
    credentialId: randomBytes(32).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    aaguid: null,
    name: 'Laptop',
    nowMs: clock.nowMs(),
  });
  see('confirm: with a passkey', await signed.get('/account/confirm?next=%2Faccount%2Femail'), 200);

  // The JSON API's messages, in the request's language
  const either = await signed.postJson('/api/reauthenticate', {});
  assert.equal(
    either.json().error.message,
    withLocale(locale, () => t('reauth.apiEither')),
  );
  const noRecent = await noPassword.postJson('/api/password/change', { new_password: NEW_PASSWORD });
  assert.equal(noRecent.json().error.code, 'REAUTH_REQUIRED');
  assert.equal(
    noRecent.json().error.message,
    withLocale(locale, () => t('reauth.withoutPassword')),
  );
  return [...seen, ...fragments(locale)];
}

/** The pieces of the account page this area makes, and the activity page in states hard to reach. */
function fragments(locale: string): Seen[] {
  return withLocale(locale, () => {
    const times = timeFormatFor(locale, Date.now());
    const user = { email: 'frag@example.com', name: null };
    const item = (type: string) => ({ type, label: '', time: new Date().toISOString(), ip: null, browser: 'Firefox' });
    // Every event a page can list, each described in the page's language.
    const everyEvent = [...DESCRIBED_EVENT_TYPES].map((type) => ({ ...item(type), label: activityLabel(type) }));
    const pieces: Array<[string, string]> = [
      ['two-step on, one code', twoStepSection({ twoFactor: { totp: true, recoveryCodesLeft: 1 } }).value],
      ['two-step on, codes', twoStepSection({ twoFactor: { totp: true, recoveryCodesLeft: 7 } }).value],
      ['two-step off', twoStepSection({ twoFactor: { totp: false, recoveryCodesLeft: 0 } }).value],
      ['phone', phoneSection({ phone: '+15550100' }, true).value],
      ['no phone', phoneSection({ phone: null }, true).value],
      ['password link', passwordLink({ hasPassword: true }).value],
      ['set password link', passwordLink({ hasPassword: false }).value],
      ['activity: empty', activityPage({ csrf: 'x', user, items: [], times }).value],
      ['activity: every event, no IP', activityPage({ csrf: 'x', user, items: everyEvent, times }).value],
    ];
    return pieces.map(([where, html]) => ({ where, html, data: ['frag@example.com', ...NAMES] }));
  });
}

describe('languages: account settings and "Confirm it is you"', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  const english = new Map<string, string>();
  before(async () => {
    service = await startTestService({ ...PSEUDO_ENV, PASSWORD_OPTIONAL: 'true', ...ROOMY }, { clock });
  });
  after(() => service.close());

  it('every page and state in the pseudo-locale holds no text outside the catalogues', async () => {
    for (const page of await walk(service, clock, PSEUDO_LOCALE)) {
      if (page.html.startsWith('<!doctype')) assert.match(page.html, /<html lang="en-XA"/, page.where);
      assertNoUntranslatedText(page.html, page.where, page.data);
    }
  });

  for (const locale of LOCALES) {
    it(`every page and state in ${locale}: the page's language, every message in its catalogue`, async () => {
      for (const page of await walk(service, clock, locale)) {
        if (!page.html.startsWith('<!doctype')) continue;
        assert.match(page.html, new RegExp(`<html lang="${locale}"`), `${locale} ${page.where}`);
        const heading = /<h1>([^<]*)<\/h1>/.exec(page.html)?.[1] ?? '';
        if (locale === 'en') english.set(page.where, heading);
        else if (english.has(page.where))
          assert.notEqual(heading, english.get(page.where), `${locale} ${page.where}: the heading is translated`);
      }
      // The error codes' messages (errors.json) count once that catalogue is in every locale.
      const errorsTranslated = existsSync(new URL(`../../src/i18n/messages/${locale}/errors.json`, import.meta.url));
      const missing = missingMessages().filter(
        (key) => key.startsWith(`${locale}:`) && (errorsTranslated || !key.startsWith(`${locale}:error.`)),
      );
      assert.deepEqual(missing, [], `messages missing from the ${locale} catalogues`);
    });
  }
});
