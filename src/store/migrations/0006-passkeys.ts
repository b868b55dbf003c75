import type { Kysely, Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { tableBuilder } from './table-builder.ts';

/**
 * Issue 9: passkeys (WebAuthn) and their ceremonies. A credential ID is public but can be long
 * (up to 1,023 bytes): it is kept whole and found by its SHA-256, which carries the unique index
 * (one credential, one account). Challenges are kept only as keyed digests, single use, bound to
 * the ceremony they were issued for (the user, the session or the pending sign-in).
 * Passwordless sign-in needs no table: its links and codes are tokens like every other.
 */
export const passkeys = (capabilities: Capabilities): Migration => ({
  async up(db: Kysely<any>) {
    const createTable = tableBuilder(db, capabilities);
    await createTable('passkeys')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull())
      .addColumn('credential_digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('transports', 'varchar(200)')
      .addColumn('device_type', 'varchar(16)')
      .addColumn('backed_up', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('aaguid', 'varchar(36)')
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

    await createTable('webauthn_challenges')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(36)', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('session_id', 'varchar(36)')
      .addColumn('pending_login_id', 'varchar(36)')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('webauthn_challenges_expires_at').on('webauthn_challenges').column('expires_at').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['webauthn_challenges', 'passkeys']) await db.schema.dropTable(table).execute();
  },
});
