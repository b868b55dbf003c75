import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, requestResetToken } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

/**
 * Audit finding 7: with usernames on, the slow-down is keyed by what the client typed, so failing
 * by a username and then trying an email address answers the same whether or not the two name
 * one account (S7). The per-account limit is set out of the way: the slow-down alone is measured.
 */
describe('the sign-in slow-down does not tell which username and email belong together', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService(
      {
        USERNAMES: 'optional',
        CONFIRM_EMAIL: 'off',
        LOGIN_THROTTLE_AFTER: '3',
        RATE_LIMIT_LOGIN_ACCOUNT: '1000/900',
        RATE_LIMIT_LOGIN_IP: '10000/900',
      },
      { clock: new ManualClock(Date.now()) },
    );
    const api = apiClient(service);
    for (const [email, username] of [
      ['ada@example.com', 'Ada_L'],
      ['bob@example.com', 'Bob_B'],
      ['carl@example.com', undefined],
      ['eve@example.com', 'Eve_E'],
      ['fay@example.com', 'Fay_F'],
    ]) {
      const response = await api.postJson('/api/register', { email, password: PASSWORD, ...(username ? { username } : {}) });
      assert.equal(response.status, 202, email);
    }
  });
  after(() => service.close());

  /** Three wrong passwords by username, a fourth that must wait, then one try by email. */
  async function usernameThenEmail(username: string, email: string): Promise<{ limited: TestResponse; byEmail: TestResponse }> {
    const api = apiClient(service);
    for (let i = 0; i < 3; i++) {
      assert.equal((await api.postJson('/api/login', { username, password: `wrong ${i}` })).status, 401, `${username} failure ${i}`);
    }
    const limited = await api.postJson('/api/login', { username, password: 'wrong 3' });
    const byEmail = await api.postJson('/api/login', { email, password: 'wrong by email' });
    return { limited, byEmail };
  }

  it('answers alike for the email of the same account, of another account and of no account', async () => {
    const same = await usernameThenEmail('ada_l', 'ada@example.com');
    const other = await usernameThenEmail('bob_b', 'carl@example.com');
    const nobody = await usernameThenEmail('ghost_user', 'dora@example.com');
    for (const outcome of [same, other, nobody]) {
      assert.equal(outcome.limited.status, 429);
      assert.equal(outcome.limited.headers.get('retry-after'), '1');
      assert.equal(outcome.byEmail.status, 401, 'the email has its own slow-down');
      assert.equal(outcome.byEmail.headers.get('retry-after'), null);
      assert.equal(outcome.byEmail.text, same.byEmail.text);
      assert.deepEqual(headersWithoutDate(outcome.byEmail), headersWithoutDate(same.byEmail));
      assert.deepEqual(headersWithoutDate(outcome.limited), headersWithoutDate(same.limited));
    }
  });

  it('and the other way round: failing by email leaves the username of the same account its own budget', async () => {
    const api = apiClient(service);
    for (let i = 0; i < 3; i++) await api.postJson('/api/login', { email: 'eve@example.com', password: `wrong ${i}` });
    assert.equal((await api.postJson('/api/login', { email: 'eve@example.com', password: PASSWORD })).status, 429);
    assert.equal((await api.postJson('/api/login', { username: 'eve_e', password: PASSWORD })).status, 200);
  });

  it('a completed reset clears the slow-down of the username as well as of the email', async () => {
    const api = apiClient(service);
    for (let i = 0; i < 3; i++) await api.postJson('/api/login', { username: 'fay_f', password: `wrong ${i}` });
    assert.equal((await api.postJson('/api/login', { username: 'fay_f', password: PASSWORD })).status, 429);
    const token = await requestResetToken(service, 'fay@example.com');
    assert.equal((await api.postJson('/api/password/reset', { token, password: 'a brand new passphrase' })).status, 200);
    assert.equal((await api.postJson('/api/login', { username: 'fay_f', password: 'a brand new passphrase' })).status, 200);
  });
});
