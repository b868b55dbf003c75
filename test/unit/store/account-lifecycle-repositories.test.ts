import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../../src/kernel/random.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { insertUser, openTestDatabase } from '../../support/database.ts';

const NOW = Date.UTC(2026, 0, 1);

describe('account lifecycle repositories (portable query builder only)', () => {
  let database: DatabaseHandle;
  let store: Store;
  const ada = newId();
  const bob = newId();
  before(async () => {
    ({ database, store } = await openTestDatabase());
    await insertUser(store, { id: ada, email: 'ada@example.com', nowMs: NOW });
    await insertUser(store, { id: bob, email: 'bob@example.com', nowMs: NOW });
  });
  after(() => database.close());

  it('changeEmail: a taken address is the value "taken", a moved account "stale", and nothing changes', async () => {
    const taken = await store.transaction((tx) =>
      tx.users.changeEmail(ada, 'ada@example.com', { display: 'BOB@example.com', canonical: 'bob@example.com' }, NOW),
    );
    assert.equal(taken, 'taken');
    assert.equal((await store.users.findById(ada))?.email, 'ada@example.com');
    const stale = await store.users.changeEmail(
      ada,
      'not-her-address@example.com',
      { display: 'x@example.com', canonical: 'x@example.com' },
      NOW,
    );
    assert.equal(stale, 'stale');
    const changed = await store.users.changeEmail(
      ada,
      'ada@example.com',
      { display: 'Ada@New.example', canonical: 'ada@new.example' },
      NOW + 1,
    );
    assert.equal(changed, 'changed');
    const row = await store.users.findById(ada);
    assert.deepEqual([row?.email, row?.email_canonical, row?.email_confirmed_at], ['Ada@New.example', 'ada@new.example', NOW + 1]);
  });

  it('usernames are unique, with any number of accounts without one', async () => {
    const withName = (id: string, email: string, canonical: string | null) =>
      store.users.insertIfAbsent({
        id,
        email,
        emailCanonical: email,
        name: null,
        passwordHash: null,
        nowMs: NOW,
        username: canonical ? { display: canonical, canonical } : null,
      });
    assert.equal(await withName(newId(), 'c@example.com', 'carol'), true);
    assert.equal(await withName(newId(), 'd@example.com', 'carol'), false, 'the unique index refuses, as a value');
    assert.equal(await withName(newId(), 'e@example.com', null), true);
    assert.equal(await withName(newId(), 'f@example.com', null), true);
    assert.equal((await store.users.findByCanonicalUsername('carol'))?.email, 'c@example.com');
  });

  it('recordLogin moves the current sign-in to "last" and counts; recordFailedLogin counts failures', async () => {
    await store.users.recordFailedLogin(bob, NOW);
    await store.users.recordLogin(bob, '192.0.2.1', NOW + 10);
    await store.users.recordFailedLogin(bob, NOW + 20);
    await store.users.recordLogin(bob, '192.0.2.2', NOW + 30);
    const row = await store.users.findById(bob);
    assert.deepEqual(
      [row?.login_count, row?.current_login_at, row?.current_login_ip, row?.last_login_at, row?.last_login_ip, row?.failed_login_count],
      [2, NOW + 30, '192.0.2.2', NOW + 10, '192.0.2.1', 0],
    );
  });

  it('revokeAllForUser can spare some purposes', async () => {
    for (const purpose of ['password-reset', 'email-confirm', 'email-change', 'email-change-undo'] as const) {
      await store.tokens.create({
        id: newId(),
        purpose,
        digest: `d-${purpose}`,
        userId: bob,
        nowMs: NOW,
        expiresAtMs: NOW + 1000,
        requestedIp: null,
      });
    }
    assert.equal(await store.tokens.revokeAllForUser(bob, NOW, ['email-change-undo']), 3);
    const live = await store.db.selectFrom('tokens').select('purpose').where('user_id', '=', bob).where('revoked_at', 'is', null).execute();
    assert.deepEqual(live, [{ purpose: 'email-change-undo' }]);
  });
});
