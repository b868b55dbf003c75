import type { Kysely, Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { tableBuilder } from './table-builder.ts';

/**
 * Issue 7: what the OpenID Connect provider stores. Every id, uid, user code and grant id is kept
 * only as a keyed digest and every payload is sealed, so a database dump holds no usable code,
 * token or session (S2); signing keys are sealed too; client secrets are keyed digests.
 */
export const oidc = (capabilities: Capabilities): Migration => ({
  async up(db: Kysely<unknown>) {
    const createTable = tableBuilder(db, capabilities);
    await createTable('oidc_payloads')
      .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('model', 'varchar(40)', (c) => c.notNull())
      .addColumn('grant_id', 'varchar(64)')
      .addColumn('user_id', 'varchar(128)')
      .addColumn('client_id', 'varchar(64)')
      .addColumn('uid_digest', 'varchar(64)')
      .addColumn('user_code_digest', 'varchar(64)')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .execute();
    for (const column of ['grant_id', 'user_id', 'client_id', 'uid_digest', 'user_code_digest', 'expires_at']) {
      await db.schema.createIndex(`oidc_payloads_${column}`).on('oidc_payloads').column(column).execute();
    }

    await createTable('oidc_signing_keys')
      .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
      // 1 for the first key, one more per rotation: the unique index lets only one process create each.
      .addColumn('generation', 'integer', (c) => c.notNull().unique())
      .addColumn('alg', 'varchar(16)', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();

    await createTable('oidc_clients')
      .addColumn('client_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
      .addColumn('is_public', 'integer', (c) => c.notNull())
      .addColumn('skip_consent', 'integer', (c) => c.notNull())
      .addColumn('secret_digest', 'varchar(64)')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['oidc_clients', 'oidc_signing_keys', 'oidc_payloads']) await db.schema.dropTable(table).execute();
  },
});
