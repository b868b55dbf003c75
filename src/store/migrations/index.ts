import type { Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { initial } from './0001-initial.ts';
import { accountLifecycle } from './0002-account-lifecycle.ts';
import { oidc } from './0003-oidc.ts';
import { secondFactors } from './0004-second-factors.ts';
import { importedHashes } from './0005-imported-hashes.ts';
import { passkeys } from './0006-passkeys.ts';
import { userLocale } from './0007-user-locale.ts';

/** Every migration, by name; names sort in the order they apply. Engine differences come from capabilities. */
export function allMigrations(capabilities: Capabilities): Record<string, Migration> {
  return {
    '0001-initial': initial(capabilities),
    '0002-account-lifecycle': accountLifecycle(capabilities),
    '0003-oidc': oidc(capabilities),
    '0004-second-factors': secondFactors(capabilities),
    '0005-imported-hashes': importedHashes(capabilities),
    '0006-passkeys': passkeys(capabilities),
    '0007-user-locale': userLocale(),
  };
}
