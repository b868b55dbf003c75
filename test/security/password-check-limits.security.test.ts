import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { registerUser, signedInClient } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

/**
 * Audit finding 10: each current-password check is one Argon2id verification, so checks are
 * limited per session (RATE_LIMIT_REAUTH_SESSION) and per account (RATE_LIMIT_REAUTH_ACCOUNT),
 * right password or wrong: one session cannot keep the hashing queue full for everyone.
 */
describe('current-password checks are limited per session and per account, successful ones too', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_REAUTH_SESSION: '3/900', RATE_LIMIT_REAUTH_ACCOUNT: '5/900' });
    for (const email of ['ada@example.com', 'bob@example.com', 'carl@example.com']) await registerUser(service, email, PASSWORD);
  });
  after(() => service.close());

  it('a session gets RATE_LIMIT_REAUTH_SESSION checks with the right password, then 429 with Retry-After', async () => {
    const session = await signedInClient(service, 'ada@example.com', PASSWORD);
    for (let i = 0; i < 3; i++)
      assert.equal((await session.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204, `check ${i}`);
    const limited = await session.postJson('/api/reauthenticate', { password: PASSWORD });
    assert.equal(limited.status, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
  });

  it('the account as a whole gets RATE_LIMIT_REAUTH_ACCOUNT checks over all its sessions', async () => {
    const second = await signedInClient(service, 'ada@example.com', PASSWORD);
    for (let i = 0; i < 2; i++)
      assert.equal((await second.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204, `check ${i}`);
    assert.equal((await second.postJson('/api/reauthenticate', { password: PASSWORD })).status, 429, 'five checks of ada in all');
    const other = await signedInClient(service, 'bob@example.com', PASSWORD);
    assert.equal((await other.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204, 'another account is not limited');
  });

  it("an email change's password check counts too, and parallel checks pass exactly the limit", async () => {
    const session = await signedInClient(service, 'carl@example.com', PASSWORD);
    assert.equal((await session.postJson('/api/email/change', { email: 'carl.new@example.com', password: PASSWORD })).status, 202);
    const burst = await Promise.all(Array.from({ length: 20 }, () => session.postJson('/api/reauthenticate', { password: PASSWORD })));
    assert.deepEqual(burst.map((r) => r.status).sort(), [204, 204, ...Array(18).fill(429)], 'two checks left of three');
  });
});
