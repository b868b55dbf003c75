import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { assertFormAgain } from '../support/form-errors.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const TITLE = 'Confirm it is you';
const NEXT = '/account/email';
const ROOMY = { RATE_LIMIT_REAUTH_SESSION: '1000/900', RATE_LIMIT_REAUTH_ACCOUNT: '1000/900', RATE_LIMIT_FORGOT_EMAIL: '1000/3600' };

describe('"Confirm it is you" answers bad input with the same page: the problem at its field, "next" kept', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService(ROOMY, { clock });
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(() => service.close());

  /** A signed-in browser whose sign-in is no longer recent, on the confirm page. */
  async function onConfirmPage(): Promise<{ browser: TestClient; csrf: string }> {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/login')).csrfToken();
    assert.equal((await browser.postForm('/login', { _csrf: csrf, email: EMAIL, password: PASSWORD })).status, 303);
    clock.advanceSeconds(601);
    const page = await browser.get(`/account/confirm?next=${encodeURIComponent(NEXT)}`);
    assert.equal(page.status, 200);
    return { browser, csrf: page.csrfToken() };
  }
  const keepsNext = (text: string, next = NEXT) =>
    assert.ok(text.includes(`<input type="hidden" name="next" value="${next}">`), `"next" is ${next}`);

  it('the password: empty or wrong at its field, never echoed; an expired form renewed', async () => {
    const { browser, csrf } = await onConfirmPage();
    const empty = await browser.postForm('/account/confirm', { _csrf: csrf, next: NEXT, password: '' });
    assertFormAgain(empty, { status: 400, title: TITLE, fields: { password: /Enter your password/ } });
    keepsNext(empty.text);

    const wrong = await browser.postForm('/account/confirm', { _csrf: csrf, next: NEXT, password: 'not it at all' });
    assertFormAgain(wrong, {
      status: 400,
      title: TITLE,
      fields: { password: /Your current password is not correct/ },
      secrets: ['not it at all'],
    });
    keepsNext(wrong.text);

    const expired = await browser.postForm('/account/confirm', { next: NEXT, password: 'typed before it expired' });
    assertFormAgain(expired, { status: 403, title: TITLE, form: /The form expired/, secrets: ['typed before it expired'] });
    keepsNext(expired.text);
    const renewed = await browser.postForm('/account/confirm', { _csrf: expired.csrfToken(), next: NEXT, password: PASSWORD });
    assert.equal(renewed.status, 303);
    assert.equal(renewed.location, NEXT);
  });

  it('the code: empty or wrong at its field, never echoed; a spent code asks for a new one', async () => {
    const { browser, csrf } = await onConfirmPage();
    const sent = await browser.postForm('/account/confirm/code/send', { _csrf: csrf, next: NEXT });
    assert.equal(sent.status, 303);
    const empty = await browser.postForm('/account/confirm/code', { _csrf: csrf, next: NEXT, code: '' });
    assertFormAgain(empty, { status: 400, title: TITLE, fields: { code: /Enter the code from the email/ } });
    assert.match(empty.text, /<input id="code"[^>]*aria-describedby="code-error code-hint"/, 'the hint still describes the field');
    keepsNext(empty.text);

    const wrong = await browser.postForm('/account/confirm/code', { _csrf: csrf, next: NEXT, code: '13572468' });
    assertFormAgain(wrong, { status: 400, title: TITLE, fields: { code: /The code is not correct/ }, secrets: ['13572468'] });

    let spent = wrong;
    for (let i = 0; i < 8 && spent.text.includes('id="code"'); i++) {
      spent = await browser.postForm('/account/confirm/code', { _csrf: csrf, next: NEXT, code: '13572468' });
    }
    assertFormAgain(spent, { status: 400, title: TITLE, form: /Too many wrong codes were entered/ });
    assert.doesNotMatch(spent.text, /id="code"/, 'no code field until a new code is sent');
    assert.match(spent.text, /Email me a code/);
  });

  it('asking for a code with an expired form, and a "next" too long to keep', async () => {
    const { browser, csrf } = await onConfirmPage();
    const user = await service.deps.store.users.findByCanonicalEmail(EMAIL);
    assert.ok(user);
    const codesSent = async () =>
      (await service.deps.store.audit.listForUser(user.id, 100)).filter((e) => e.type === 'reauth.code_sent').length;
    const before = await codesSent();
    const expired = await browser.postForm('/account/confirm/code/send', { next: NEXT });
    assertFormAgain(expired, { status: 403, title: TITLE, form: /The form expired/ });
    keepsNext(expired.text);
    assert.equal(await codesSent(), before, 'no code sent');

    const long = await browser.postForm('/account/confirm', { _csrf: csrf, next: `/${'x'.repeat(2100)}`, password: PASSWORD });
    assertFormAgain(long, { status: 400, title: TITLE, form: /next/ });
    keepsNext(long.text, '/');
  });

  it('signed out, bad input goes to sign in and back, not to a page', async () => {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/login')).csrfToken();
    const answer = await browser.postForm('/account/confirm', { _csrf: csrf, next: NEXT, password: '' });
    assert.equal(answer.status, 303);
    assert.equal(answer.location, `/login?next=${encodeURIComponent(`/account/confirm?next=${encodeURIComponent(NEXT)}`)}`);
  });
});
