import { type Kysely, type Migration, sql } from 'kysely';
import type { Capabilities } from '../database.ts';

/**
 * Issue 10: imported password hashes. A legacy hash that needs more than itself to verify (the
 * Flask-Security-Too salt, a Devise pepper) is stored in an envelope with that secret sealed, which
 * can outgrow 255 characters: `password_hash` becomes varchar(1024).
 */
export const importedHashes = (capabilities: Capabilities): Migration => {
  const widen = async (db: Kysely<unknown>, type: string) => {
    if (capabilities.columnTypeChange === 'alter-column-type') {
      await db.schema
        .alterTable('users')
        .alterColumn('password_hash', (c) => c.setDataType(sql.raw(type)))
        .execute();
    } else if (capabilities.columnTypeChange === 'modify-column') {
      await db.schema.alterTable('users').modifyColumn('password_hash', sql.raw(type)).execute();
    }
  };
  return {
    up: (db) => widen(db, 'varchar(1024)'),
    down: (db) => widen(db, 'varchar(255)'),
  };
};
