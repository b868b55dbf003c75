import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { Capabilities } from '../database.ts';

/**
 * `db.schema.createTable(name)` plus the engine's table options for exact text comparison
 * (binary collation on MySQL/MariaDB), so every migration creates tables the same way.
 */
export function tableBuilder(db: Kysely<unknown>, capabilities: Capabilities) {
  return (name: string): CreateTableBuilder<string, never> => {
    const builder = db.schema.createTable(name);
    const options = capabilities.exactTextTableOptions;
    return options ? builder.modifyEnd(sql.raw(options)) : builder;
  };
}
