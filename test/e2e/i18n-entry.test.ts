import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient } from '../support/flows.ts';
import { assertNoMissingMessages, PSEUDO_ENV } from '../support/i18n.ts';
import { clientIn, follow, mailedPath, tagOf, type Visit, visitIn, WALK_LOCALES } from '../support/i18n-walk.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const LOOSE_LIMITS = {
  RATE_LIMIT_FORGOT_EMAIL: '1000/3600',
  RATE_LIMIT_FORGOT_IP: '1000/3600',
  RATE_LIMIT_REGISTER_IP: '1000/3600',
  RATE_LIMIT_LOGIN_IP: '1000/3600',
  RATE_LIMIT_LOGIN_ACCOUNT: '1000/3600',
  RATE_LIMIT_LOGIN_DEVICE: '1000/3600',
  RATE_LIMIT_TOKEN_IP: '1000/3600',
  LOGIN_THROTTLE_AFTER: '20',
};
const LOGIN_NOTICES = ['password-reset', 'signed-out', 'email-confirmed', 'email-changed', 'secured', 'locked', 'unknown'];
const ACCOUNT_NOTICES = [
  'password-changed',
  'password-set',
  'email-change-sent',
  'email-changed',
  'email-confirmed',
  'signed-in-after-reset',
];

/**
 * Every page of sign-in, registration, confirmation, check-inbox, forgot-username, recovery and
 * sign-in by email, in every state, with usernames optional, sign-in by email on and every
 * recovery method offered.
 */
async function walkFullService(service: TestService, locale: string, visit: Visit): Promise<void> {
  const tag = tagOf(locale);
  const ada = `ada-${tag}@example.com`;
  const bob = `bob-${tag}@example.com`;
  const c = await clientIn(service, locale);
  visit(await c.get('/'), 'home, signed out');
  visit(await c.get('/login'), 'login');
  for (const notice of LOGIN_NOTICES) visit(await c.get(`/login?notice=${notice}`), `login, notice ${notice}`);
  visit(await c.submitForm('/login', '/login', { email: '', password: '' }), 'login, empty');
  visit(await c.submitForm('/login', '/login', { email: 'x'.repeat(1100), password: 'p' }), 'login, too long');
  visit(await c.submitForm('/login', '/login', { email: 'nobody@example.com', password: 'wrong' }), 'login, refused', [
    'nobody@example.com',
  ]);
  visit(await c.postForm('/login', { email: 'nobody@example.com', password: 'wrong' }), 'login, form expired');

  visit(await c.get('/register'), 'register');
  visit(await c.submitForm('/register', '/register', { email: '', password: '', password_confirm: '' }), 'register, empty');
  const malformed = { name: 'Ada', email: 'ada at example', password: PASSWORD, password_confirm: NEW_PASSWORD };
  visit(await c.submitForm('/register', '/register', malformed), 'register, malformed', ['Ada', 'ada at example']);
  const long = { name: 'A'.repeat(300), email: ada, password: PASSWORD, password_confirm: PASSWORD };
  visit(await c.submitForm('/register', '/register', long), 'register, too long', [ada]);
  const strange = { email: ada, password: PASSWORD, password_confirm: PASSWORD, favourite: 'tea' };
  visit(await c.submitForm('/register', '/register', strange), 'register, unknown field', [ada, 'favourite']);
  const registration = { name: 'Ada', username: `ada${tag}`, email: ada, password: PASSWORD, password_confirm: PASSWORD };
  const registered = await c.submitForm('/register', '/register', registration);
  visit(await follow(c, registered), 'check inbox after registering', [ada]);
  visit(await (await clientIn(service, locale)).get('/check-inbox'), 'check inbox, no note');

  // The mailed confirmation link: landing page, a link that cannot be used, then confirmed.
  const confirmPath = await mailedPath(service, ada, '/confirm-email/');
  visit(await c.get('/confirm-email/not-a-token'), 'confirmation link, not valid');
  visit(await c.get('/confirm-email'), 'confirmation page without its link');
  const landing = await follow(c, await c.get(confirmPath));
  visit(landing, 'confirmation landing', [ada]);
  visit(await follow(c, await c.postForm('/confirm-email', { _csrf: landing.csrfToken() })), 'confirmed, login');

  visit(await c.get('/confirm/resend'), 'resend confirmation');
  visit(await c.submitForm('/confirm/resend', '/confirm/resend', { email: '' }), 'resend confirmation, empty');
  visit(await c.submitForm('/confirm/resend', '/confirm/resend', { email: 'bob at' }), 'resend confirmation, malformed', ['bob at']);
  visit(await c.postForm('/confirm/resend', { email: bob }), 'resend confirmation, form expired', [bob]);
  const resent = await c.submitForm('/confirm/resend', '/confirm/resend', { email: bob });
  visit(await follow(c, resent), 'check inbox after resending', [bob]);
  assert.equal((await apiClient(service).postJson('/api/register', { email: bob, password: PASSWORD })).status, 202);
  const unconfirmed = await c.submitForm('/login', '/login', { email: bob, password: PASSWORD });
  visit(unconfirmed, 'login, address not confirmed', [bob]);

  visit(await c.get('/forgot-username'), 'forgot username');
  visit(await c.submitForm('/forgot-username', '/forgot-username', { email: '' }), 'forgot username, empty');
  visit(await c.submitForm('/forgot-username', '/forgot-username', { email: 'ada at' }), 'forgot username, malformed', ['ada at']);
  visit(await c.postForm('/forgot-username', { email: ada }), 'forgot username, form expired', [ada]);
  visit(await c.submitForm('/forgot-username', '/forgot-username', { email: ada }), 'forgot username, sent', [ada]);

  await walkRecovery(service, c, ada, visit);
  await walkSignInByEmail(service, c, ada, visit);

  // Signed in (by the mailed link above): the account page, its notices, sign-out; then by password.
  visit(await c.get('/'), 'account page', [ada, 'Ada', `ada${tag}`]);
  for (const notice of ACCOUNT_NOTICES) {
    visit(await c.get(`/?notice=${notice}`), `account page, notice ${notice}`, [ada, 'Ada', `ada${tag}`]);
  }
  const logout = await c.get('/logout');
  visit(logout, 'sign out');
  visit(await follow(c, await c.postForm('/logout', { _csrf: logout.csrfToken() })), 'signed out');
  const again = await follow(c, await c.submitForm('/login', '/login', { email: ada, password: NEW_PASSWORD }));
  assert.match(again.text, /datetime="/, 'the last sign-in is shown');
  visit(again, 'account page, signed in before', [ada, 'Ada', `ada${tag}`]);
}

async function walkRecovery(service: TestService, c: Awaited<ReturnType<typeof clientIn>>, ada: string, visit: Visit) {
  visit(await c.get('/forgot-password'), 'forgot password, three methods');
  visit(await c.submitForm('/forgot-password', '/forgot-password', { email: '' }), 'forgot password, empty');
  visit(await c.submitForm('/forgot-password', '/forgot-password', { email: 'ada at' }), 'forgot password, malformed', ['ada at']);
  const pigeon = { email: ada, method: 'pigeon' };
  visit(await c.submitForm('/forgot-password', '/forgot-password', pigeon), 'forgot password, no such method', [ada]);
  visit(await c.postForm('/forgot-password', { email: ada }), 'forgot password, form expired', [ada]);
  const byLink = await c.submitForm('/forgot-password', '/forgot-password', { email: ada, method: 'link' });
  visit(await follow(c, byLink), 'check inbox for the reset link', [ada]);
  const resetPath = await mailedPath(service, ada, '/reset-password/');
  visit(await c.get('/reset-password/not-a-token'), 'reset link, not valid');
  visit(await c.get('/reset-password'), 'reset page without its link');
  const form = await follow(c, await c.get(resetPath));
  visit(form, 'choose a new password');
  visit(await c.postForm('/reset-password', { _csrf: form.csrfToken(), password: '', password_confirm: '' }), 'new password, empty');
  const mismatch = { _csrf: form.csrfToken(), password: NEW_PASSWORD, password_confirm: PASSWORD };
  visit(await c.postForm('/reset-password', mismatch), 'new password, mismatch');
  const done = { _csrf: form.csrfToken(), password: NEW_PASSWORD, password_confirm: NEW_PASSWORD };
  visit(await follow(c, await c.postForm('/reset-password', done)), 'password reset, login');
  visit(await c.get(resetPath), 'reset link, already used');

  const byCode = await c.submitForm('/forgot-password', '/forgot-password', { email: ada, method: 'code' });
  visit(await follow(c, byCode), 'reset code, sent', [ada]);
  visit(await c.get('/reset/code'), 'reset code');
  visit(await c.submitForm('/reset/code', '/reset/code', { email: '', code: '', password: '', password_confirm: '' }), 'reset code, empty');
  const wrong = { email: ada, code: '0000 0000', password: NEW_PASSWORD, password_confirm: NEW_PASSWORD };
  visit(await c.submitForm('/reset/code', '/reset/code', wrong), 'reset code, wrong code', [ada]);
  const mismatched = { email: ada, code: '0000 0000', password: NEW_PASSWORD, password_confirm: PASSWORD };
  visit(await c.submitForm('/reset/code', '/reset/code', mismatched), 'reset code, mismatch', [ada]);
}

async function walkSignInByEmail(service: TestService, c: Awaited<ReturnType<typeof clientIn>>, ada: string, visit: Visit) {
  visit(await c.get('/login/email'), 'sign in by email');
  visit(await c.submitForm('/login/email', '/login/email', { email: '' }), 'sign in by email, empty');
  visit(await c.submitForm('/login/email', '/login/email', { email: 'ada at' }), 'sign in by email, malformed', ['ada at']);
  const asked = await c.submitForm('/login/email', '/login/email', { email: ada });
  visit(await follow(c, asked), 'sign-in code page, sent', [ada]);
  visit(await c.get('/login/email/code'), 'sign-in code page');
  visit(await c.submitForm('/login/email/code', '/login/email/code', { email: '', code: '' }), 'sign-in code, empty');
  visit(await c.submitForm('/login/email/code', '/login/email/code', { email: ada, code: '00000000' }), 'sign-in code, wrong', [ada]);
  const firstLink = await mailedPath(service, ada, '/login/link/');
  await c.submitForm('/login/email', '/login/email', { email: ada });
  const secondLink = await mailedPath(service, ada, '/login/link/');
  visit(await c.get(firstLink), 'sign-in link, replaced by a newer one');
  visit(await c.get('/login/link/not-a-token'), 'sign-in link, not valid');
  const page = await follow(c, await c.get(secondLink));
  visit(page, 'sign in with your link');
  const signedIn = await c.postForm('/login/link', { _csrf: page.csrfToken() });
  assert.equal(signedIn.location, '/', 'signed in by the link');
}

/** Registration with an optional password, a single recovery method, and no confirmation or with it. */
async function walkVariant(service: TestService, locale: string, visit: Visit, what: string): Promise<void> {
  const tag = tagOf(locale);
  const email = `cy-${tag}-${what}@example.com`;
  const c = await clientIn(service, locale);
  visit(await c.get('/register'), `${what}: register`);
  visit(await c.get('/forgot-password'), `${what}: forgot password, one method`);
  const fields = { username: `cy${tag}${what}`.slice(0, 32), email, password: '', password_confirm: '' };
  const registered = await c.submitForm('/register', '/register', fields);
  visit(await follow(c, registered), `${what}: check inbox after registering`, [email]);
}

describe('sign-in, registration and recovery pages in every language (issue 11)', () => {
  let sms: TestSmsServer;
  let full: TestService;
  let plain: TestService;
  let linkOnly: TestService;
  before(async () => {
    sms = new TestSmsServer();
    const smsUrl = `${await sms.start()}/send`;
    full = await startTestService({
      ...PSEUDO_ENV,
      ...LOOSE_LIMITS,
      USERNAMES: 'optional',
      PASSWORDLESS: 'on',
      PASSKEYS: 'off',
      RECOVERY_METHODS: 'link,code,sms',
      SMS_URL: smsUrl,
    });
    plain = await startTestService({
      ...PSEUDO_ENV,
      ...LOOSE_LIMITS,
      CONFIRM_EMAIL: 'off',
      PASSWORD_OPTIONAL: 'on',
      USERNAMES: 'required',
      RECOVERY_METHODS: 'code',
    });
    linkOnly = await startTestService({
      ...PSEUDO_ENV,
      ...LOOSE_LIMITS,
      PASSWORD_OPTIONAL: 'on',
      PASSWORDLESS: 'on',
      PASSKEYS: 'off',
      USERNAMES: 'optional',
      RECOVERY_METHODS: 'link',
    });
  });
  after(async () => {
    await Promise.all([full?.close(), plain?.close(), linkOnly?.close()]);
    await sms?.stop();
  });

  for (const locale of WALK_LOCALES) {
    it(`${locale}: every page and state`, async () => {
      await walkFullService(full, locale, visitIn(locale));
      await walkVariant(plain, locale, visitIn(locale), 'plain');
      await walkVariant(linkOnly, locale, visitIn(locale), 'link');
    });
  }

  it('no message looked up in a real language is missing from its catalogue', () => {
    assertNoMissingMessages();
  });
});
