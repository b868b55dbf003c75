import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionsEndReason } from '../../src/flows/login/session-service.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { followLinkAndPress, linkIn, outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient, tokenOf } from '../support/flows.ts';
import { resetLinkIn } from '../support/smtp.ts';

const PASSWORD = 'correct horse battery';
const ATTACKER_PASSWORD = 'intruder passphrase 77';
const OWNER_PASSWORD = 'the owner is back again';

/**
 * The "it was not me" link is the owner's way back (audit finding 2): whatever an intruder does
 * with the account after moving it to their inbox (reset, password change, more email changes, their
 * own undo links), the owner's link still works, and using it leaves the intruder nothing.
 */
describe('the undo link of an email change survives a takeover and ends it', () => {
  const clock = new ManualClock(Date.now());
  const ended: Array<{ userId: string; reason: SessionsEndReason }> = [];
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '1000/900' }, { clock });
    service.deps.sessions.onEndAll(async (_tx, userId, end) => void ended.push({ userId, reason: end.reason }));
  });
  after(() => service.close());

  const undoLinkFor = async (to: string) => linkIn(await service.smtp.waitForMail(to, { subject: /being changed/ }), '/email-change/undo/');
  const confirmTokenFor = async (to: string) =>
    tokenOf(linkIn(await service.smtp.waitForMail(to, { subject: /Confirm your new/ }), '/email-change/confirm/'));
  const login = (email: string, password: string) => apiClient(service).postJson('/api/login', { email, password });
  const userId = async (email: string) => (await service.deps.store.users.findByCanonicalEmail(email))?.id as string;

  it('a stolen session alone cannot move the account: the password is needed', async () => {
    await registerUser(service, 'vera@example.com', PASSWORD);
    const owner = await signedInClient(service, 'vera@example.com', PASSWORD);
    const stolen = apiClient(service);
    for (const [name, value] of owner.cookies) stolen.cookies.set(name, value);
    const moved = await stolen.postJson('/api/email/change', { email: 'mallory@example.com' });
    assert.equal(moved.status, 403);
    assert.equal(moved.json().error.code, 'REAUTH_REQUIRED');
  });

  it('move, confirm, reset, change the password: the owner’s undo link still restores the account', async () => {
    // The intruder has a session and the password (phished): moves the account to their inbox.
    const intruder = await signedInClient(service, 'vera@example.com', PASSWORD);
    const owner = await signedInClient(service, 'vera@example.com', PASSWORD);
    assert.equal((await intruder.postJson('/api/email/change', { email: 'mallory@example.com', password: PASSWORD })).status, 202);
    const undoLink = await undoLinkFor('vera@example.com');
    clock.advanceSeconds(1);
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/confirm', { token: await confirmTokenFor('mallory@example.com') })).status,
      200,
    );
    clock.advanceSeconds(1);
    const reset = await requestResetToken(service, 'mallory@example.com');
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token: reset, password: ATTACKER_PASSWORD })).status, 200);
    const again = await signedInClient(service, 'mallory@example.com', ATTACKER_PASSWORD);
    const changed = await again.postJson('/api/password/change', {
      current_password: ATTACKER_PASSWORD,
      new_password: `${ATTACKER_PASSWORD}!`,
    });
    assert.equal(changed.status, 200);
    const pending = await requestResetToken(service, 'mallory@example.com');
    const resetMailsToIntruder = service.smtp
      .mailsTo('mallory@example.com')
      .filter((m) => /Reset your password/.test(m.parsed.subject ?? '')).length;

    const { landing, pressed } = await followLinkAndPress(new TestClient(service.url), undoLink);
    assert.match(landing.text, /turns off the current password/);
    assert.equal(pressed.status, 303, pressed.text.slice(0, 300));
    assert.equal(pressed.location, '/login?notice=secured');

    const id = await userId('vera@example.com');
    assert.ok(id, 'the old address is back');
    assert.equal(await userId('mallory@example.com'), undefined);
    assert.equal((await again.get('/api/session')).status, 401, "the intruder's session ended");
    assert.equal((await owner.get('/api/session')).status, 401, 'every session ended');
    for (const [email, password] of [
      ['mallory@example.com', `${ATTACKER_PASSWORD}!`],
      ['vera@example.com', `${ATTACKER_PASSWORD}!`],
      ['vera@example.com', PASSWORD],
    ] as const) {
      assert.equal((await login(email, password)).status, 401, `no sign-in as ${email} with a password anybody else knew`);
    }
    const revoked = await apiClient(service).postJson('/api/password/reset', { token: pending, password: 'the intruder tries again' });
    assert.equal(revoked.json().error.code, 'TOKEN_REVOKED', "the intruder's outstanding reset link is dead");
    assert.deepEqual(
      ended.filter((e) => e.userId === id).map((e) => e.reason),
      ['password-reset', 'password-change', 'email-change-undone'],
      'every end of all sessions went through the one function',
    );

    // The owner sets a password only they know, through the link sent to the restored address.
    const ownerReset = tokenOf(resetLinkIn(await service.smtp.waitForMail('vera@example.com', { subject: /Reset your password/ })));
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token: ownerReset, password: OWNER_PASSWORD })).status, 200);
    assert.equal((await login('vera@example.com', OWNER_PASSWORD)).status, 200);
    const intruderResets = service.smtp.mailsTo('mallory@example.com').filter((m) => /Reset your password/.test(m.parsed.subject ?? ''));
    assert.equal(intruderResets.length, resetMailsToIntruder, 'no reset link went to the intruder');
  });

  it("the intruder's own undo links (sent to their inbox) neither kill the owner's nor outlive it", async () => {
    await registerUser(service, 'walt@example.com', PASSWORD);
    const intruder = await signedInClient(service, 'walt@example.com', PASSWORD);
    await intruder.postJson('/api/email/change', { email: 'mal2@example.com', password: PASSWORD });
    const ownerUndo = tokenOf(await undoLinkFor('walt@example.com'));
    clock.advanceSeconds(1);
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/confirm', { token: await confirmTokenFor('mal2@example.com') })).status,
      200,
    );
    clock.advanceSeconds(1);
    assert.equal((await intruder.postJson('/api/email/change', { email: 'mal3@example.com', password: PASSWORD })).status, 202);
    const intruderUndo = tokenOf(await undoLinkFor('mal2@example.com'));
    clock.advanceSeconds(1);
    assert.equal((await intruder.postJson('/api/email/change', { email: 'mal4@example.com', password: PASSWORD })).status, 202);
    const laterUndo = tokenOf(await undoLinkFor('mal2@example.com'));

    assert.equal((await apiClient(service).postJson('/api/email/change/undo', { token: intruderUndo })).status, 200);
    await service.smtp.waitForMail('mal2@example.com', { subject: /Reset your password/ });
    clock.advanceSeconds(1);
    const restored = await apiClient(service).postJson('/api/email/change/undo', { token: ownerUndo });
    assert.equal(restored.status, 200, restored.text);
    assert.ok(await userId('walt@example.com'));
    await service.smtp.waitForMail('walt@example.com', { subject: /Reset your password/ });
    const late = await apiClient(service).postJson('/api/email/change/undo', { token: laterUndo });
    assert.equal(late.json().error.code, 'TOKEN_REVOKED', "an undo link issued after the owner's dies with its use");
    assert.ok(await userId('walt@example.com'), 'the account stays at the owner’s address');
  });

  it('admin reset and revoke-sessions spare the undo link and end sessions through the one function', async () => {
    await registerUser(service, 'ida@example.com', PASSWORD);
    const api = await signedInClient(service, 'ida@example.com', PASSWORD);
    assert.equal((await api.postJson('/api/email/change', { email: 'ida.new@example.com', password: PASSWORD })).status, 202);
    const undo = tokenOf(await undoLinkFor('ida@example.com'));
    const id = await userId('ida@example.com');

    assert.ok((await service.deps.admin.reset('ida@example.com')).ok);
    const adminReset = tokenOf(resetLinkIn(await service.smtp.waitForMail('ida@example.com', { subject: /Reset your password/ })));
    assert.equal(
      (await apiClient(service).postJson('/api/password/reset', { token: adminReset, password: 'an admin started reset' })).status,
      200,
    );
    await signedInClient(service, 'ida@example.com', 'an admin started reset');
    const revoked = await service.deps.admin.revokeSessions('ida@example.com');
    assert.ok(revoked.ok && revoked.value.sessionsEnded === 1);
    assert.deepEqual(
      ended.filter((e) => e.userId === id).map((e) => e.reason),
      ['password-reset', 'admin-revoke'],
    );

    assert.equal((await apiClient(service).postJson('/api/email/change/undo', { token: undo })).status, 200);
    await service.smtp.waitForMail('ida@example.com', { subject: /Reset your password/ });
    assert.equal((await login('ida@example.com', 'an admin started reset')).status, 401);
  });

  it('when another account took the old address meanwhile, undo locks the account instead of leaving it to the intruder', async () => {
    await registerUser(service, 'kim@example.com', PASSWORD);
    const intruder = await signedInClient(service, 'kim@example.com', PASSWORD);
    await intruder.postJson('/api/email/change', { email: 'mal5@example.com', password: PASSWORD });
    const undo = tokenOf(await undoLinkFor('kim@example.com'));
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/confirm', { token: await confirmTokenFor('mal5@example.com') })).status,
      200,
    );
    await registerUnconfirmed(service, 'kim@example.com', 'a squatter passphrase');

    const undone = await apiClient(service).postJson('/api/email/change/undo', { token: undo });
    assert.equal(undone.status, 200);
    assert.equal(undone.json().locked, true);
    assert.match(undone.json().message, /locked/);
    assert.equal((await intruder.get('/api/session')).status, 401);
    assert.equal((await login('mal5@example.com', PASSWORD)).status, 401);
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: 'mal5@example.com' })).status, 202);
    await outboxSettled(service);
    const resets = service.smtp.mailsTo('mal5@example.com').filter((m) => /Reset your password/.test(m.parsed.subject ?? ''));
    assert.equal(resets.length, 0, 'nobody can reset their way back in through the other address');
  });
});
