import type { Migration } from 'kysely';
import { initial } from './0001-initial.ts';
import { accountLifecycle } from './0002-account-lifecycle.ts';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-account-lifecycle': accountLifecycle,
};
