import type { Keyring } from '../../crypto/keyring.ts';
import { SecretBox } from '../../crypto/secret-box.ts';
import { TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { cryptoRandom, type RandomSource } from '../../kernel/random.ts';
import type { Store } from '../../store/store.ts';
import { StoredClientRegistry } from './client-registry.ts';
import { SealedOidcStorage } from './oidc-storage.ts';
import type { ClientRegistry, OidcStorage } from './ports.ts';
import { SealedSigningKeys } from './signing-keys.ts';

export interface OidcStoresOptions {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  random?: RandomSource;
  /** See SigningKeysDeps: how long a retired signing key stays in the JWKS. */
  maxTokenLifetimeSeconds: number;
}

export interface OidcStores {
  storage: OidcStorage;
  keys: SealedSigningKeys;
  clients: ClientRegistry;
}

/** The three OIDC ports over Latchkey's database, keyed and sealed under SECRET_KEYS. */
export function createOidcStores(options: OidcStoresOptions): OidcStores {
  const { store, keyring, clock } = options;
  const random = options.random ?? cryptoRandom;
  const digester = new TokenDigester(keyring);
  const box = new SecretBox(keyring);
  return {
    storage: new SealedOidcStorage({ store, digester, box, clock }),
    keys: new SealedSigningKeys({ store, box, random, settings: { maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds } }),
    clients: new StoredClientRegistry({ store, digester, random }),
  };
}
