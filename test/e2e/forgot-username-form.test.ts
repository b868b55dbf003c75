import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { assertFormAgain } from '../support/form-errors.ts';

const TITLE = 'Forgot your username?';

describe('forgot username answers bad input with the same form (issue 11 §5)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ USERNAMES: 'optional', RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
  });
  after(() => service.close());

  it('an empty, a malformed and a too long address: the problem at the field, the typed address kept', async () => {
    const browser = new TestClient(service.url);
    const empty = await browser.submitForm('/forgot-username', '/forgot-username', { email: '' });
    assertFormAgain(empty, { status: 400, title: TITLE, fields: { email: /Enter your email address\./ } });

    const malformed = await browser.submitForm('/forgot-username', '/forgot-username', { email: 'ada at example' });
    assertFormAgain(malformed, {
      status: 400,
      title: TITLE,
      fields: { email: /Enter a valid email address/ },
      kept: { email: 'ada at example' },
    });

    const long = await browser.submitForm('/forgot-username', '/forgot-username', { email: 'x'.repeat(1100) });
    assertFormAgain(long, { status: 400, title: TITLE, fields: { email: /Your email address must be at most 1024 characters/ } });

    const missing = await browser.submitForm('/forgot-username', '/forgot-username', {});
    assertFormAgain(missing, { status: 400, title: TITLE, fields: { email: /Enter your email address/ } });

    const strange = await browser.submitForm('/forgot-username', '/forgot-username', { email: 'ada@example.com', shoe_size: '44' });
    assertFormAgain(strange, {
      status: 400,
      title: TITLE,
      form: /field it does not have \(shoe_size\)/,
      kept: { email: 'ada@example.com' },
    });
  });

  it('an expired or missing CSRF token: 403 with the form renewed, the address kept', async () => {
    const browser = new TestClient(service.url);
    await browser.get('/forgot-username');
    const none = await browser.postForm('/forgot-username', { email: 'ada@example.com' });
    assertFormAgain(none, { status: 403, title: TITLE, form: /form expired/, kept: { email: 'ada@example.com' } });
    const forged = await browser.postForm('/forgot-username', { _csrf: 'forged', email: 'ada@example.com' });
    assertFormAgain(forged, { status: 403, title: TITLE, form: /form expired/, kept: { email: 'ada@example.com' } });
    const renewed = await browser.postForm('/forgot-username', { _csrf: forged.csrfToken(), email: 'ada@example.com' });
    assert.equal(renewed.status, 200, 'the renewed form goes through');
    assert.match(renewed.text, /we have sent the username to it/);
    assert.doesNotMatch(renewed.text, /class="error-summary"/);
  });

  it('the same answer for a known and an unknown address, in the request’s language', async () => {
    const browser = new TestClient(service.url);
    const unknown = await browser.submitForm('/forgot-username', '/forgot-username', { email: 'nobody@example.com' });
    assert.equal(unknown.status, 200);
    assert.match(unknown.text, /we have sent the username to it/);
    const german = await browser.submitForm('/forgot-username?lang=de', '/forgot-username', { email: 'nobody@example.com' });
    assert.equal(german.status, 200);
    assert.match(german.text, /<html lang="de"/);
    assert.match(german.text, /haben wir den Benutzernamen dorthin gesendet/);
    const empty = await browser.submitForm('/forgot-username', '/forgot-username', { email: '' });
    assert.match(empty.text, /<title>Fehler: Benutzername vergessen\? · Latchkey<\/title>/);
    assert.match(empty.text, /Geben Sie Ihre E-Mail-Adresse ein\./);
  });
});
