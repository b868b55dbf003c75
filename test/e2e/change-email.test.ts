import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { followLinkAndPress, linkIn, outboxSettled } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient, tokenOf } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('change email address', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService({}, { clock });
    await registerUser(service, 'ada@example.com', PASSWORD, 'Ada');
    await registerUser(service, 'taken@example.com', PASSWORD);
  });
  after(() => service.close());

  it('needs the current password with every request, even right after signing in', async () => {
    const api = await signedInClient(service, 'ada@example.com', PASSWORD);
    const fresh = await api.postJson('/api/email/change', { email: 'ada.new@example.com' });
    assert.equal(fresh.status, 403, 'a session that just signed in is not enough: it may be a stolen one');
    assert.equal(fresh.json().error.code, 'REAUTH_REQUIRED');
    assert.equal((await api.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204);
    assert.equal((await api.postJson('/api/email/change', { email: 'ada.new@example.com' })).json().error.code, 'REAUTH_REQUIRED');
    const wrong = await api.postJson('/api/email/change', { email: 'ada.new@example.com', password: 'not it' });
    assert.equal(wrong.json().error.code, 'CURRENT_PASSWORD_INCORRECT');
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('ada.new@example.com').length, 0, 'nothing was sent');
    const same = await api.postJson('/api/email/change', { email: ' ADA@example.com', password: PASSWORD });
    assert.equal(same.json().error.code, 'EMAIL_SAME_AS_CURRENT');
    assert.equal((await api.postJson('/api/email/change', { email: 'a@b@c', password: PASSWORD })).json().error.code, 'EMAIL_INVALID');
    assert.equal((await apiClient(service).postJson('/api/email/change', { email: 'x@example.com', password: PASSWORD })).status, 401);
  });

  it('sends a 2-hour link to the new address, tells the old one, and changes nothing before confirming', async () => {
    const api = await signedInClient(service, 'ada@example.com', PASSWORD);
    const outstanding = await requestResetToken(service, 'ada@example.com');
    const requested = await api.postJson('/api/email/change', { email: 'Ada.New@example.com', password: PASSWORD });
    assert.equal(requested.status, 202);
    const confirmMail = await service.smtp.waitForMail('Ada.New@example.com', { subject: /Confirm your new email address/ });
    assert.match(confirmMail.parsed.text ?? '', /expires in 2 hours/);
    const link = linkIn(confirmMail, '/email-change/confirm/');
    assert.ok(link.startsWith(`${service.config.publicUrl.origin}/email-change/confirm/`));
    const told = await service.smtp.waitForMail('ada@example.com', { subject: /Your email address is being changed/ });
    assert.match(told.parsed.text ?? '', /Ada\.New@example\.com/);
    linkIn(told, '/email-change/undo/');
    assert.equal((await api.get('/api/session')).json().user.email, 'ada@example.com');

    const browser = new TestClient(service.url);
    const opened = await browser.get(new URL(link).pathname);
    assert.equal(opened.location, '/email-change/confirm');
    const landing = (await browser.get('/email-change/confirm')).text;
    assert.match(landing, /Confirm new address/);
    assert.match(
      landing,
      /from <strong>ada@example.com<\/strong> to <strong>Ada.New@example.com<\/strong>/,
      'the page names both addresses',
    );
    assert.equal((await api.get('/api/session')).json().user.email, 'ada@example.com', 'GET changed nothing');

    const { pressed } = await followLinkAndPress(api, link);
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/?notice=email-changed');
    assert.equal((await api.get('/api/session')).json().user.email, 'Ada.New@example.com');
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'ada.new@example.com', password: PASSWORD })).status, 200);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'ada@example.com', password: PASSWORD })).status, 401);

    const revoked = await apiClient(service).postJson('/api/password/reset', { token: outstanding, password: 'an attacker passphrase' });
    assert.equal(revoked.json().error.code, 'TOKEN_REVOKED', 'the change killed the outstanding reset link');
    const reused = await apiClient(service).postJson('/api/email/change/confirm', { token: tokenOf(link) });
    assert.equal(reused.json().error.code, 'TOKEN_USED');
  });

  it('gives the same answer for a taken address, and mails its owner instead of sending a link', async () => {
    const api = await signedInClient(service, 'ada.new@example.com', PASSWORD);
    const free = await api.postJson('/api/email/change', { email: 'free@example.com', password: PASSWORD });
    const taken = await api.postJson('/api/email/change', { email: 'TAKEN@example.com', password: PASSWORD });
    assert.equal(taken.status, free.status);
    assert.equal(taken.text, free.text);
    const note = await service.smtp.waitForMail('taken@example.com', { subject: /You already have an account/ });
    assert.match(note.parsed.text ?? '', /move another account to this email address/);
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('taken@example.com').filter((m) => /Confirm your new/.test(m.parsed.subject ?? '')).length, 0);
  });

  it('refuses the change when the address was taken meanwhile (EMAIL_TAKEN, not a crash)', async () => {
    const api = await signedInClient(service, 'ada.new@example.com', PASSWORD);
    await api.postJson('/api/email/change', { email: 'contested@example.com', password: PASSWORD });
    const link = linkIn(
      await service.smtp.waitForMail('contested@example.com', { subject: /Confirm your new email address/ }),
      '/email-change/confirm/',
    );
    await registerUser(service, 'contested@example.com', PASSWORD);
    const refused = await apiClient(service).postJson('/api/email/change/confirm', { token: tokenOf(link) });
    assert.equal(refused.status, 409);
    assert.equal(refused.json().error.code, 'EMAIL_TAKEN');
    assert.equal((await api.get('/api/session')).json().user.email, 'Ada.New@example.com');
    const page = await followLinkAndPress(new TestClient(service.url), link);
    assert.equal(page.pressed.status, 409);
    assert.match(page.pressed.text, /Another account uses this address now/);
  });

  it('expires the new-address link after 2 hours', async () => {
    const api = await signedInClient(service, 'ada.new@example.com', PASSWORD);
    await api.postJson('/api/email/change', { email: 'late@example.com', password: PASSWORD });
    const link = linkIn(await service.smtp.waitForMail('late@example.com', { subject: /Confirm your new/ }), '/email-change/confirm/');
    clock.advanceSeconds(2 * 3600);
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/confirm', { token: tokenOf(link) })).json().error.code,
      'TOKEN_EXPIRED',
    );
    const tampered = `${tokenOf(link).slice(0, -2)}xx`;
    assert.equal((await apiClient(service).postJson('/api/email/change/confirm', { token: tampered })).json().error.code, 'TOKEN_INVALID');
  });

  it('"it was not me" puts the old address back, signs out everywhere and sends a reset link', async () => {
    await registerUser(service, 'grace@example.com', PASSWORD);
    const victim = await signedInClient(service, 'grace@example.com', PASSWORD);
    await victim.postJson('/api/email/change', { email: 'attacker@example.com', password: PASSWORD });
    const undoLink = linkIn(await service.smtp.waitForMail('grace@example.com', { subject: /being changed/ }), '/email-change/undo/');
    const confirm = linkIn(
      await service.smtp.waitForMail('attacker@example.com', { subject: /Confirm your new/ }),
      '/email-change/confirm/',
    );
    assert.equal((await apiClient(service).postJson('/api/email/change/confirm', { token: tokenOf(confirm) })).status, 200);

    const reader = new TestClient(service.url);
    const opened = await reader.get(new URL(undoLink).pathname);
    assert.match(
      (await reader.get(opened.location as string)).text,
      /puts <strong>grace@example.com<\/strong> back as your email address, instead of <strong>attacker@example.com<\/strong>/,
      'the undo page names both addresses',
    );
    const { pressed } = await followLinkAndPress(new TestClient(service.url), undoLink);
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/login?notice=secured');
    assert.equal((await victim.get('/api/session')).status, 401, 'every session ended');
    const user = await service.deps.store.users.findByCanonicalEmail('grace@example.com');
    assert.ok(user, 'the old address is back');
    await service.smtp.waitForMail('grace@example.com', { subject: /Reset your password/ });
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/undo', { token: tokenOf(undoLink) })).json().error.code,
      'TOKEN_USED',
    );
  });

  it('"it was not me" before the new address confirmed kills the pending change', async () => {
    await registerUser(service, 'ivy@example.com', PASSWORD);
    const api = await signedInClient(service, 'ivy@example.com', PASSWORD);
    await api.postJson('/api/email/change', { email: 'ivy.new@example.com', password: PASSWORD });
    const undo = linkIn(await service.smtp.waitForMail('ivy@example.com', { subject: /being changed/ }), '/email-change/undo/');
    const confirm = linkIn(
      await service.smtp.waitForMail('ivy.new@example.com', { subject: /Confirm your new/ }),
      '/email-change/confirm/',
    );
    const undone = await apiClient(service).postJson('/api/email/change/undo', { token: tokenOf(undo) });
    assert.equal(undone.status, 200);
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/confirm', { token: tokenOf(confirm) })).json().error.code,
      'TOKEN_REVOKED',
    );
    assert.equal((await api.get('/api/session')).status, 401);
    await service.smtp.waitForMail('ivy@example.com', { subject: /Reset your password/ });
    assert.ok(await service.deps.store.users.findByCanonicalEmail('ivy@example.com'));
  });

  it('mails no inbox more than 5 times an hour (RATE_LIMIT_FORGOT_EMAIL)', async () => {
    await registerUser(service, 'henry@example.com', PASSWORD);
    const api = await signedInClient(service, 'henry@example.com', PASSWORD);
    // Each change mails both inboxes; henry's also got its welcome mail: 1 + 4 make its 5.
    for (let i = 0; i < 4; i++)
      assert.equal((await api.postJson('/api/email/change', { email: 'flood@example.com', password: PASSWORD })).status, 202);
    const limited = await api.postJson('/api/email/change', { email: 'FLOOD@example.com', password: PASSWORD });
    assert.equal(limited.status, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('flood@example.com').length, 4);
    assert.equal(service.smtp.mailsTo('henry@example.com').length, 5);
  });

  it('works through the page, which always asks for the password', async () => {
    await registerUser(service, 'jane@example.com', PASSWORD);
    const browser = new TestClient(service.url);
    await browser.submitForm('/login', '/login', { email: 'jane@example.com', password: PASSWORD });
    const page = await browser.get('/account/email');
    assert.match(page.text, /id="email" name="email" type="email" autocomplete="email"/);
    assert.match(page.text, /<label for="password">Your password<\/label>/);
    assert.match(page.text, /id="password" name="password" type="password" autocomplete="current-password"/);
    const refused = await browser.postForm('/account/email', { _csrf: page.csrfToken(), email: 'page@example.com' });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /enter your password again/);
    const done = await browser.postForm('/account/email', { _csrf: page.csrfToken(), email: 'page@example.com', password: PASSWORD });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/?notice=email-change-sent');
    await service.smtp.waitForMail('page@example.com', { subject: /Confirm your new/ });
  });
});
