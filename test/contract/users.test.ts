import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS, uniqueEmail } from './support/fixtures.ts';

describeEachDatabase('users store contract', (database) => {
  it('creates an account once per canonical address and reads it back with exact BIGINT times', async () => {
    const { store } = database();
    const email = uniqueEmail('Ada');
    const user = await createUser(store, email);
    const again = await store.users.insertIfAbsent({
      id: randomUUID(),
      email: email.toUpperCase(),
      emailCanonical: email.toLowerCase(),
      name: 'Other',
      passwordHash: null,
      nowMs: NOW_MS,
    });
    assert.equal(again, false, 'a second account with the same canonical address must not be created');
    const found = await store.users.findByCanonicalEmail(email.toLowerCase());
    assert.ok(found);
    assert.equal(found.id, user.id);
    assert.equal(found.email, email);
    assert.equal(found.created_at, NOW_MS);
    assert.equal(typeof found.created_at, 'number');
    assert.equal(found.disabled_at, null);
    assert.deepEqual(await store.users.findById(user.id), found);
  });

  it('compares canonical addresses exactly: case and accents make different addresses', async () => {
    const { store } = database();
    const base = uniqueEmail('bar');
    const lower = await createUser(store, base);
    const accented = await createUser(store, base.replace('bar', 'bär'));
    const upperCanonical = base.replace('bar', 'BAR');
    const insertedUpper = await store.users.insertIfAbsent({
      id: randomUUID(),
      email: upperCanonical,
      emailCanonical: upperCanonical,
      name: null,
      passwordHash: null,
      nowMs: NOW_MS,
    });
    assert.equal(insertedUpper, true);
    assert.equal((await store.users.findByCanonicalEmail(base))?.id, lower.id);
    assert.equal((await store.users.findByCanonicalEmail(base.replace('bar', 'bär')))?.id, accented.id);
  });

  it('replaces a password hash only when it is still the expected one', async () => {
    const { store } = database();
    const user = await createUser(store);
    const before = (await store.users.findById(user.id))?.password_hash as string;
    await store.users.upgradePasswordHash(user.id, 'not-the-current-hash', 'upgraded', NOW_MS + 1);
    assert.equal((await store.users.findById(user.id))?.password_hash, before);
    await store.users.upgradePasswordHash(user.id, before, 'upgraded', NOW_MS + 1);
    assert.equal((await store.users.findById(user.id))?.password_hash, 'upgraded');
    await store.users.setPasswordHash(user.id, 'reset', NOW_MS + 2);
    const after = await store.users.findById(user.id);
    assert.equal(after?.password_hash, 'reset');
    assert.equal(after?.password_changed_at, NOW_MS + 2);
  });

  it('disables and enables an account', async () => {
    const { store } = database();
    const user = await createUser(store);
    await store.users.setDisabled(user.id, true, NOW_MS + 5);
    assert.equal((await store.users.findById(user.id))?.disabled_at, NOW_MS + 5);
    await store.users.setDisabled(user.id, false, NOW_MS + 6);
    assert.equal((await store.users.findById(user.id))?.disabled_at, null);
  });

  it('lists accounts oldest first with limit and offset', async () => {
    const { store } = database();
    const page = await store.users.list({ limit: 2, offset: 0 });
    assert.equal(page.length, 2);
    const next = await store.users.list({ limit: 2, offset: 1 });
    assert.equal(next[0]?.id, page[1]?.id);
  });

  it('changes an address, and refuses a taken one or an unknown account with a value', async () => {
    const { store } = database();
    const user = await createUser(store);
    const other = await createUser(store);
    const target = uniqueEmail('moved');
    assert.equal(await store.users.changeEmail(user.id, user.email, { display: target, canonical: target }, NOW_MS + 9), 'changed');
    const moved = await store.users.findById(user.id);
    assert.equal(moved?.email, target);
    assert.equal(moved?.updated_at, NOW_MS + 9);
    const taken = await store.users.changeEmail(other.id, other.email, { display: target, canonical: target }, NOW_MS);
    assert.equal(taken, 'taken');
    const fresh = uniqueEmail();
    const missing = await store.users.changeEmail(randomUUID(), uniqueEmail(), { display: fresh, canonical: fresh }, NOW_MS);
    assert.equal(missing, 'stale');
  });

  it('keeps a transaction usable after a lost email change, so the rest of it still commits', async () => {
    const { store } = database();
    const user = await createUser(store);
    const holder = await createUser(store);
    const outcome = await store.transaction(async (tx) => {
      const change = await tx.users.changeEmail(user.id, user.email, { display: holder.email, canonical: holder.email }, NOW_MS);
      await tx.users.setDisabled(user.id, true, NOW_MS + 1);
      return change;
    });
    assert.equal(outcome, 'taken');
    assert.equal((await store.users.findById(user.id))?.disabled_at, NOW_MS + 1);
  });

  it('two parallel changes to the same address over separate connections: exactly one wins', async () => {
    const db = database();
    const stores = [db.store, new Store(db.open(5).db, db.handle.capabilities)];
    for (let round = 0; round < 10; round++) {
      const a = await createUser(db.store);
      const b = await createUser(db.store);
      const target = uniqueEmail('contested');
      const results = await Promise.all(
        [a, b].map((user, i) =>
          (stores[i] as Store).transaction((tx) =>
            tx.users.changeEmail(user.id, user.email, { display: target, canonical: target }, NOW_MS + round),
          ),
        ),
      );
      assert.deepEqual([...results].sort(), ['changed', 'taken'], `round ${round}: ${JSON.stringify(results)}`);
      const owner = await db.store.users.findByCanonicalEmail(target);
      assert.equal(owner?.id, [a, b][results.indexOf('changed')]?.id);
    }
  });
});
