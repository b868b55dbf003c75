import type { Kysely, Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { tableBuilder } from './table-builder.ts';

export const initial = (capabilities: Capabilities): Migration => ({
  async up(db: Kysely<unknown>) {
    const createTable = tableBuilder(db, capabilities);
    await createTable('users')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('email', 'varchar(254)', (c) => c.notNull())
      .addColumn('email_canonical', 'varchar(254)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(100)')
      .addColumn('password_hash', 'varchar(255)')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .addColumn('password_changed_at', 'bigint')
      .execute();

    await createTable('tokens')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('requested_ip', 'varchar(45)')
      .execute();
    await db.schema.createIndex('tokens_user_id').on('tokens').column('user_id').execute();
    await db.schema.createIndex('tokens_expires_at').on('tokens').column('expires_at').execute();

    await createTable('sessions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('ip', 'varchar(45)')
      .addColumn('user_agent', 'varchar(512)')
      .execute();
    await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

    await createTable('outbox')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('topic', 'varchar(64)', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('last_error', 'varchar(1000)')
      .execute();
    await db.schema.createIndex('outbox_status_next').on('outbox').columns(['status', 'next_attempt_at']).execute();

    await createTable('audit_events')
      .addColumn('id', 'integer', (c) =>
        capabilities.autoIncrement === 'identity' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('type', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(36)')
      .addColumn('ip', 'varchar(45)')
      .addColumn('user_agent', 'varchar(512)')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_events_user_created').on('audit_events').columns(['user_id', 'created_at']).execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['audit_events', 'outbox', 'sessions', 'tokens', 'users']) {
      await db.schema.dropTable(table).execute();
    }
  },
});
