import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('a reset ends every session and kills every other link (S6, S16, S22)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, PASSWORD);
    await registerUser(service, 'bob@example.com', PASSWORD);
  });
  after(() => service.close());

  it('signs out every device of the user, leaves other users alone, and revokes older outstanding links', async () => {
    const laptop = await signedInClient(service, EMAIL, PASSWORD);
    const phone = await signedInClient(service, EMAIL, PASSWORD);
    const bob = await signedInClient(service, 'bob@example.com', PASSWORD);
    for (const client of [laptop, phone, bob]) assert.equal((await client.get('/api/session')).status, 200);

    const older = await requestResetToken(service, EMAIL);
    const oldest = await requestResetToken(service, EMAIL);
    const newest = await requestResetToken(service, EMAIL);
    assert.equal(new Set([older, oldest, newest]).size, 3);

    const reset = await apiClient(service).postJson('/api/password/reset', { token: newest, password: 'a brand new passphrase' });
    assert.equal(reset.status, 200, reset.text);

    for (const client of [laptop, phone]) {
      const session = await client.get('/api/session');
      assert.equal(session.status, 401, 'the old session is gone');
      assert.equal(session.json().error.code, 'NOT_AUTHENTICATED');
    }
    assert.equal((await bob.get('/api/session')).status, 200, "another user's session survives");
    assert.equal(
      await service.deps.store.sessions.countForUser((await service.deps.store.users.findByCanonicalEmail(EMAIL))!.id, Date.now()),
      0,
    );

    for (const token of [older, oldest]) {
      const api = await apiClient(service).postJson('/api/password/reset', { token, password: 'an attacker passphrase' });
      assert.equal(api.status, 400);
      assert.equal(api.json().error.code, 'TOKEN_REVOKED');
      const page = await new TestClient(service.url).get(`/reset-password/${token}`);
      assert.equal(page.status, 400);
      assert.match(page.text, /no longer valid/);
      assert.match(page.text, /Request a new link/);
    }
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: 'an attacker passphrase' })).status, 401);
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: 'a brand new passphrase' })).status, 200);
  });

  it('tells the user by mail, at the stored address, with a way to start a new reset', async () => {
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /password was changed/ });
    assert.match(mail.parsed.text ?? '', new RegExp(`${service.config.publicUrl.origin}/forgot-password`));
    assert.match(mail.parsed.text ?? '', /Every other signed-in session was signed out/);
  });

  it('a link requested after the reset works again', async () => {
    const fresh = await requestResetToken(service, EMAIL);
    const reset = await apiClient(service).postJson('/api/password/reset', { token: fresh, password: 'yet another passphrase' });
    assert.equal(reset.status, 200, reset.text);
  });
});
