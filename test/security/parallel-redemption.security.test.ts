import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser, requestResetToken } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PARALLEL = 50;

describe('one reset token redeemed 50 times at once (S3)', () => {
  let service: TestService;
  before(async () => {
    // Failed token lookups are limited per IP; raised here so that every loser reports TOKEN_USED.
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '1000/900' });
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  it('lets exactly one request through; the 49 others get 400 TOKEN_USED', async () => {
    const token = await requestResetToken(service, EMAIL);
    const api = apiClient(service);
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        api.postJson('/api/password/reset', { token, password: `parallel passphrase number ${i}` }),
      ),
    );
    const winners = responses.flatMap((r, i) => (r.status === 200 ? [i] : []));
    assert.equal(winners.length, 1, `successes: ${winners.length}`);
    const losers = responses.filter((r) => r.status !== 200);
    assert.equal(losers.length, PARALLEL - 1);
    for (const loser of losers) {
      assert.equal(loser.status, 400, loser.text);
      assert.equal(loser.json().error.code, 'TOKEN_USED');
    }

    const winner = winners[0] as number;
    const login = await api.postJson('/api/login', { email: EMAIL, password: `parallel passphrase number ${winner}` });
    assert.equal(login.status, 200, "the winner's password is the one stored");
    const db = service.deps.store.db;
    const completed = await db.selectFrom('audit_events').select('id').where('type', '=', 'password_reset.completed').execute();
    assert.equal(completed.length, 1, 'one reset happened');
    const changedMails = await db.selectFrom('outbox').select('id').where('topic', '=', 'mail').execute();
    assert.equal(changedMails.length, 3, 'welcome, reset link and exactly one "password changed" mail');
  });
});
