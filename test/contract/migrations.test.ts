import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatabaseTarget } from '../../src/config/database-url.ts';
import { ensureSchemaCurrent, migrateToLatest, pendingMigrations, SchemaBehindError } from '../../src/store/migrate.ts';
import { allMigrations } from '../../src/store/migrations/index.ts';
import { createEmptyDatabase, ENGINES } from '../support/databases.ts';

for (const engine of ENGINES) {
  describe(`migrations [${engine.name}]`, { skip: engine.skipReason }, () => {
    let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
    before(async () => {
      db = await createEmptyDatabase(engine.name);
    });
    after(() => db?.drop());

    it('refuses to serve an empty database, naming `latchkey migrate`; then applies everything once, from two nodes at once', async () => {
      const names = Object.keys(allMigrations(db.handle.capabilities));
      assert.deepEqual(await pendingMigrations(db.handle), names);
      const refusal = await ensureSchemaCurrent(db.handle, db.target).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(refusal instanceof SchemaBehindError, String(refusal));
      assert.match(refusal.message, /latchkey migrate/);
      assert.deepEqual(refusal.pending, names);

      const other = db.open(2);
      const applied = await Promise.all([migrateToLatest(db.handle), migrateToLatest(other)]);
      assert.deepEqual(applied.flat().sort(), names, 'each migration applied exactly once');
      assert.deepEqual(await pendingMigrations(db.handle), []);
      assert.deepEqual(await ensureSchemaCurrent(db.handle, db.target), []);
      assert.deepEqual(await migrateToLatest(db.handle), []);
    });
  });
}

describe('migrations [sqlite default]', () => {
  it('the embedded default SQLite database migrates itself on start', async () => {
    const db = await createEmptyDatabase('sqlite');
    try {
      const names = Object.keys(allMigrations(db.handle.capabilities));
      assert.deepEqual(await ensureSchemaCurrent(db.handle, { ...db.target, isDefault: true } as DatabaseTarget), names);
      assert.deepEqual(await pendingMigrations(db.handle), []);
    } finally {
      await db.drop();
    }
  });
});
