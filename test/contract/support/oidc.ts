import { randomBytes } from 'node:crypto';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { createOidcStores } from '../../../src/flows/oidc/stores.ts';
import type { Clock } from '../../../src/kernel/clock.ts';
import type { Store } from '../../../src/store/store.ts';
import { TEST_SECRET } from '../../support/app.ts';

/** The lifetime after which a retired signing key leaves the JWKS, in these suites. */
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;

export function oidcStores(store: Store, clock: Clock, secrets: string[] = [TEST_SECRET]) {
  return createOidcStores({ store, clock, keyring: new Keyring(secrets), maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS });
}

/** An id shaped like oidc-provider's (43 base64url characters): codes and tokens are their own ids. */
export function oidcId(): string {
  return randomBytes(32).toString('base64url');
}

/** Every value in every row of the OIDC tables, as one string, to search a "dump" for secrets. */
export async function dumpOidcTables(store: Store): Promise<string> {
  const tables = ['oidc_payloads', 'oidc_signing_keys', 'oidc_clients'] as const;
  const rows = await Promise.all(tables.map((t) => store.db.selectFrom(t).selectAll().execute()));
  return JSON.stringify(rows);
}
