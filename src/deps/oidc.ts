import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import type { ClientRegistry, OidcStorage, SigningKeyStore } from '../flows/oidc/ports.ts';
import { MAX_SIGNED_TOKEN_LIFETIME_SECONDS } from '../flows/oidc/settings.ts';
import { createOidcStores } from '../flows/oidc/stores.ts';
import { CookiePolicy } from '../http/cookies.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RandomSource } from '../kernel/random.ts';
import type { Store } from '../store/store.ts';

/** What the OpenID Connect provider is built on: the storage side's ports. */
export interface OidcPorts {
  storage: OidcStorage;
  signingKeys: SigningKeyStore;
  clients: ClientRegistry;
}

export interface OidcDeps extends OidcPorts {
  /** The provider, built once on first use (it needs the signing keys from the database). */
  provider(): Promise<Provider>;
  /** Ends the OIDC session of this browser (Latchkey logout), given oidc-provider's session cookie. */
  endBrowserSession(sessionCookie: string | undefined): Promise<void>;
}

/** oidc-provider's session cookie name (its default). */
export const OIDC_SESSION_COOKIE = '_session';

/**
 * Wires the OpenID Connect provider: issuer = PUBLIC_URL, Latchkey's session as the one SSO
 * rides on, and "every session of a user ended" (reset, password change, sign out everywhere,
 * admin disable or revoke) ending that user's OIDC sessions, grants and tokens too.
 */
export function createOidcDeps(o: {
  config: Config;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
  store: Store;
  keyring: Keyring;
  sessions: SessionService;
  /** Other ports (tests); by default the database ones, sealed under SECRET_KEYS. */
  ports?: OidcPorts | undefined;
}): OidcDeps {
  const { config, logger, clock, store, sessions } = o;
  const ports = o.ports ?? databasePorts(o);
  const sessionCookieName = CookiePolicy.forConfig(config).session;
  store.onAllSessionsEnded(async (userId) => {
    await ports.storage.endEverythingForUser(userId);
  });
  let built: Promise<Provider> | undefined;
  const build = async () => {
    // Loaded on first use: oidc-provider prints a runtime warning when imported on Node 20.
    const { createOidcProvider } = await import('../flows/oidc/provider.ts');
    return createOidcProvider({
      issuer: config.publicUrl.href.replace(/\/$/, ''),
      basePath: config.basePath,
      storage: ports.storage,
      clients: ports.clients,
      users: store.users,
      usernames: config.account.usernames !== 'off',
      jwks: await ports.signingKeys.privateJwks(clock.nowMs()),
      https: config.publicUrl.protocol === 'https:',
      sessionCookieName,
      latchkeySessionOf: async (token) => {
        const active = await sessions.resolve(token);
        return (
          active && { userId: active.user.id, authenticatedAtMs: Number(active.session.authenticated_at ?? active.session.created_at) }
        );
      },
      nowMs: () => clock.nowMs(),
      endLatchkeySession: (token) => sessions.revoke(token),
      onError: (error, event) => {
        if (event === 'server_error') logger.error({ err: error }, 'oidc: server error');
        else logger.info({ event, error: error.message }, 'oidc: request refused');
      },
    });
  };
  const provider = () => {
    built ??= build();
    return built;
  };
  return {
    ...ports,
    provider,
    endBrowserSession: async (sessionCookie) => {
      if (!sessionCookie || sessionCookie.length > 128) return;
      const session = await (await provider()).Session.find(sessionCookie);
      await session?.destroy();
    },
  };
}

function databasePorts(o: { store: Store; keyring: Keyring; clock: Clock; random: RandomSource }): OidcPorts {
  const stores = createOidcStores({ ...o, maxTokenLifetimeSeconds: MAX_SIGNED_TOKEN_LIFETIME_SECONDS });
  return { storage: stores.storage, signingKeys: stores.keys, clients: stores.clients };
}
