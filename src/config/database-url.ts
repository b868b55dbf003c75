import { resolve } from 'node:path';
import type { EnvReader } from './parse.ts';

export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string; isDefault: boolean; poolSize: number }
  | { dialect: 'postgres'; url: string; isDefault: false; poolSize: number }
  | { dialect: 'mysql'; url: string; isDefault: false; poolSize: number };

const DEFAULT_URL = 'sqlite:./data/latchkey.db';

/** Hides the password of a database URL, for messages and logs. */
export function redactDatabaseUrl(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * DATABASE_URL: `sqlite:PATH` (or `sqlite::memory:`), `postgres://user:pass@host:5432/db`
 * (also `postgresql://`), `mysql://user:pass@host:3306/db` (MySQL 8, MariaDB 10.6+).
 * DATABASE_POOL_SIZE bounds the connections one process opens to a server database.
 */
export function parseDatabaseUrl(read: EnvReader, cwd: string): DatabaseTarget {
  const value = read.raw('DATABASE_URL') ?? DEFAULT_URL;
  const poolSize = read.integer('DATABASE_POOL_SIZE', 10, 1, 1000, ' connections');
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') {
      read.problems.push('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/latchkey.db');
    }
    const filename = path === ':memory:' ? ':memory:' : resolve(cwd, path);
    return { dialect: 'sqlite', filename, isDefault: value === DEFAULT_URL, poolSize: 1 };
  }
  const server = /^(postgres|postgresql|mysql):\/\//.exec(value);
  if (server) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || url.hostname === '' || url.pathname.replace(/^\//, '') === '') {
      read.problems.push(
        `DATABASE_URL must name a host and a database, like ${server[1]}://user:password@host/latchkey, got "${redactDatabaseUrl(value)}"`,
      );
    }
    const dialect = server[1] === 'mysql' ? 'mysql' : 'postgres';
    return { dialect, url: value, isDefault: false, poolSize };
  }
  read.problems.push(`DATABASE_URL must start with sqlite:, postgres:// or mysql://, got "${redactDatabaseUrl(value)}"`);
  return { dialect: 'sqlite', filename: ':memory:', isDefault: false, poolSize: 1 };
}
