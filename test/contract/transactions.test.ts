import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS } from './support/fixtures.ts';

describeEachDatabase('transactions contract', (database) => {
  it('rolls back everything when the function throws', async () => {
    const { store } = database();
    const user = await createUser(store);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.users.setDisabled(user.id, true, NOW_MS);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal((await store.users.findById(user.id))?.disabled_at, null);
  });

  it('two transactions that deadlock each other both complete: the engine picks a victim, Store.transaction runs it again', async () => {
    const db = database();
    const stores = [db.store, new Store(db.open(3).db, db.handle.capabilities)] as const;
    const a = await createUser(db.store);
    const b = await createUser(db.store);
    let arrived = 0;
    // Both take their first row lock, then each wants the other's row. On SQLite one connection
    // serialises the two, so the wait gives up after a moment and nothing deadlocks.
    const bothHoldOneLock = async () => {
      arrived++;
      for (let i = 0; i < 30 && arrived < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    let attempts = 0;
    const crossing = (store: Store, first: string, second: string, at: number) =>
      store.transaction(async (tx) => {
        attempts++;
        await tx.users.setDisabled(first, true, at);
        await bothHoldOneLock();
        await tx.users.setDisabled(second, true, at);
      });
    await Promise.all([crossing(stores[0], a.id, b.id, NOW_MS + 1), crossing(stores[1], b.id, a.id, NOW_MS + 2)]);
    assert.ok((await db.store.users.findById(a.id))?.disabled_at);
    assert.ok((await db.store.users.findById(b.id))?.disabled_at);
    // A server detects the deadlock and rolls one back, which runs again: three attempts in all.
    assert.equal(attempts, db.engine === 'sqlite' ? 2 : 3);
  });
});
