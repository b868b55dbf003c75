import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

/** The page shell rules of every page: no script but the "show password" one, no inline style or handler, local stylesheet. */
function assertPageShell(page: TestResponse): void {
  assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  assert.match(page.text, /<link rel="stylesheet" href="\/assets\/style.css">/);
  assert.doesNotMatch(page.text.replace('<script src="/assets/password-toggle.js" defer></script>', ''), /<script|\sstyle="|\son[a-z]+="/i);
  assert.equal(page.headers.get('cache-control'), 'no-store');
}

/** Every POST form carries a CSRF field; every visible input has a <label for> and the expected autocomplete. */
function assertForms(page: TestResponse, expected: Record<string, string>): void {
  const forms = [...page.text.matchAll(/<form method="post"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1] as string);
  assert.ok(forms.length > 0, 'a form');
  for (const form of forms) assert.match(form, /<input type="hidden" name="_csrf" value="[^"]+">/);
  const inputs = [...page.text.matchAll(/<input\s([^>]*)>/g)].map((m) => m[1] as string);
  const visible = inputs.filter((i) => !/type="hidden"/.test(i) && !/\bhidden\b/.test(i));
  const found: Record<string, string> = {};
  for (const input of visible) {
    const name = /name="([^"]+)"/.exec(input)?.[1] as string;
    found[name] = /autocomplete="([^"]+)"/.exec(input)?.[1] ?? '';
    assert.match(input, new RegExp(`id="${name}"`));
    assert.match(page.text, new RegExp(`<label for="${name}">`), `label for ${name}`);
  }
  assert.deepEqual(found, expected);
}

describe('account lifecycle pages: labelled fields, autocomplete values, CSRF, no script', () => {
  let service: TestService;
  let browser: TestClient;
  before(async () => {
    service = await startTestService({ USERNAMES: 'optional' });
    await registerUser(service, 'ada@example.com', PASSWORD);
    browser = new TestClient(service.url);
    await browser.submitForm('/login', '/login', { email: 'ada@example.com', password: PASSWORD });
  });
  after(() => service.close());

  for (const [path, fields] of [
    ['/account/password', { current_password: 'current-password', new_password: 'new-password', new_password_confirm: 'new-password' }],
    ['/account/email', { email: 'email', password: 'current-password' }],
    ['/account/sessions', {}],
    ['/account/activity', {}],
    ['/account/confirm?next=%2Faccount%2Femail', { password: 'current-password' }],
    ['/account/confirm?next=%2Faccount%2Femail&sent=1', { password: 'current-password', code: 'one-time-code' }],
    ['/confirm/resend', { email: 'email' }],
    ['/forgot-username', { email: 'email' }],
    ['/register', { name: 'name', username: 'username', email: 'email', password: 'new-password', password_confirm: 'new-password' }],
  ] as const) {
    it(path, async () => {
      const page = await browser.get(path);
      assert.equal(page.status, 200);
      assertPageShell(page);
      if (Object.keys(fields).length > 0) assertForms(page, fields);
      else assert.match(page.text, /<input type="hidden" name="_csrf"/);
    });
  }

  it('the link landing page', async () => {
    const token = await registerUnconfirmed(service, 'bob@example.com', PASSWORD);
    const visitor = new TestClient(service.url);
    await visitor.get(`/confirm-email/${token}`);
    const page = await visitor.get('/confirm-email');
    assertPageShell(page);
    assert.match(
      page.text,
      /<form method="post" action="\/confirm-email"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit">Confirm<\/button><\/form>/,
    );
  });
});
