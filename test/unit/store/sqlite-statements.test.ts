import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import { openTestDatabase } from '../../support/database.ts';

// The SQLite handle keeps compiled statements by SQL text (store/dialects.ts): running one again
// must give what compiling it anew would, with new parameters and after the schema changed.
describe('SQLite: kept statements', () => {
  let database: DatabaseHandle;
  // A scratch table outside the schema, so the raw query builder is untyped here.
  let db: Kysely<Record<string, { a: number; b?: string; c?: number }>>;
  before(async () => {
    ({ database } = await openTestDatabase());
    db = database.db as unknown as typeof db;
    await sql`create table scratch (a integer)`.execute(db);
  });
  after(() => database.close());

  it('runs a statement again with new parameters', async () => {
    for (const a of [1, 2, 3]) await db.insertInto('scratch').values({ a }).execute();
    for (const a of [2, 3]) {
      assert.deepEqual(await db.selectFrom('scratch').selectAll().where('a', '=', a).execute(), [{ a }]);
    }
  });

  it('a kept statement sees the schema as it is now (a column added, the table made anew)', async () => {
    const all = () => db.selectFrom('scratch').selectAll().orderBy('a').execute();
    assert.deepEqual(await all(), [{ a: 1 }, { a: 2 }, { a: 3 }]);
    await sql`alter table scratch add column b text default 'x'`.execute(db);
    assert.deepEqual(await all(), [
      { a: 1, b: 'x' },
      { a: 2, b: 'x' },
      { a: 3, b: 'x' },
    ]);
    await sql`drop table scratch`.execute(db);
    await sql`create table scratch (a integer, c integer)`.execute(db);
    await db.insertInto('scratch').values({ a: 7, c: 8 }).execute();
    assert.deepEqual(await all(), [{ a: 7, c: 8 }]);
  });
});
