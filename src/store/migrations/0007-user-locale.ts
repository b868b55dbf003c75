import type { Kysely, Migration } from 'kysely';

/**
 * Issue 11: the language each account last used (a BCP 47 tag such as `pt-BR`), so mails and SMS
 * go out in it whoever triggered them. NULL: not known yet (DEFAULT_LOCALE).
 */
export const userLocale = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('locale', 'varchar(16)').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('users').dropColumn('locale').execute();
  },
});
