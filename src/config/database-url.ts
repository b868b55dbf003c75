import { resolve } from 'node:path';
import type { EnvReader } from './parse.ts';

export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string; isDefault: boolean }
  | { dialect: 'postgres'; url: string }
  | { dialect: 'mysql'; url: string };

const DEFAULT_URL = 'sqlite:./data/latchkey.db';

/** DATABASE_URL: `sqlite:PATH` (or `sqlite::memory:`), `postgres://...`, `mysql://...`. */
export function parseDatabaseUrl(read: EnvReader, cwd: string): DatabaseTarget {
  const value = read.raw('DATABASE_URL') ?? DEFAULT_URL;
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') {
      read.problems.push('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/latchkey.db');
    }
    const filename = path === ':memory:' ? ':memory:' : resolve(cwd, path);
    return { dialect: 'sqlite', filename, isDefault: value === DEFAULT_URL };
  }
  if (/^postgres(ql)?:\/\//.test(value) || /^mysql:\/\//.test(value)) {
    read.problems.push(
      `DATABASE_URL ${value.split(':')[0]}:// is recognised but not supported yet; use sqlite:PATH for now`,
    );
    return { dialect: 'sqlite', filename: ':memory:', isDefault: false };
  }
  read.problems.push(
    `DATABASE_URL must start with sqlite:, postgres:// or mysql://, got "${value.replace(/\/\/[^@]*@/, '//***@')}"`,
  );
  return { dialect: 'sqlite', filename: ':memory:', isDefault: false };
}
