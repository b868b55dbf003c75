import Provider, { type Configuration, interactionPolicy, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { UsersRepository } from '../../store/users-repository.ts';
import { accountFinder } from './accounts.ts';
import { registryClientAdapter, useRegistrySecretCheck } from './clients.ts';
import { firstPartyGrant } from './grants.ts';
import type { ClientRegistry, OidcStorage } from './ports.ts';
import { errorPage, logoutPage, signedOutPage } from './provider-pages.ts';
import { INTERACTION_PATH, OIDC_ROUTES, TTL } from './settings.ts';

export interface OidcProviderOptions {
  issuer: string;
  /** PUBLIC_URL's path ("" at the root): oidc-provider answers on the raw response, so its own redirects carry it. */
  basePath: string;
  storage: OidcStorage;
  clients: ClientRegistry;
  users: Pick<UsersRepository, 'findById'>;
  usernames: boolean;
  /** The signing key first, then retired keys whose tokens may still be live. */
  jwks: JWK[];
  https: boolean;
  /** The Latchkey session of this cookie, when it is live: its user and when the password was given. */
  latchkeySessionOf(sessionCookie: string | undefined): Promise<{ userId: string; authenticatedAtMs: number } | undefined>;
  /** Latchkey's clock. */
  nowMs(): number;
  sessionCookieName: string;
  /** Ends the Latchkey session of this cookie (RP-initiated logout signs the browser out). */
  endLatchkeySession(sessionCookie: string | undefined): Promise<void>;
  onError(error: Error, event: string): void;
}

/** The signing algorithm of a private JWK (ES256 for P-256 keys, RS256 for RSA). */
export function signingAlgOf(jwk: JWK | undefined): string {
  if (jwk?.alg) return jwk.alg;
  return jwk?.kty === 'RSA' ? 'RS256' : 'ES256';
}

/**
 * oidc-provider configured for Latchkey: code flow only, PKCE S256 (required for public clients),
 * refresh tokens rotated on every use (a reused one revokes the grant), revocation,
 * introspection and RP-initiated logout; clients from the registry, everything else stored
 * through the OidcStorage port. The interaction is Latchkey's own pages (interaction-routes.ts).
 */
export function createOidcProvider(options: OidcProviderOptions): Provider {
  const signingAlg = signingAlgOf(options.jwks[0]);
  const clientAdapter = registryClientAdapter(options.clients, () => signingAlg);
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  // Latchkey's session is the one that counts: an OIDC session whose Latchkey session ended
  // (logout, reset, idle timeout) or now belongs to someone else asks again.
  login.checks.push(
    new interactionPolicy.Check('latchkey_session', 'The Latchkey session ended or is too old', 'login_required', async (ctx) => {
      const session = await options.latchkeySessionOf(ctx.cookies.get(options.sessionCookieName) ?? undefined);
      if (!session || session.userId !== ctx.oidc.session?.accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      // max_age on Latchkey's clock (the one every session time is on), unless this very
      // interaction just decided the sign-in.
      const maxAge = ctx.oidc.params?.max_age;
      if (maxAge !== undefined && !ctx.oidc.result?.login && options.nowMs() - session.authenticatedAtMs > Number(maxAge) * 1000) {
        return interactionPolicy.Check.REQUEST_PROMPT;
      }
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: (name: string) => (name === 'Client' ? clientAdapter : options.storage.adapter(name)),
    findAccount: accountFinder(options.users, options.usernames),
    jwks: { keys: options.jwks },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: {
      // amr (the factors used) rides on the openid scope so every ID token carries it.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    extraClientMetadata: { properties: ['latchkey:skip_consent'] },
    rotateRefreshToken: true,
    routes: OIDC_ROUTES,
    interactions: {
      policy,
      url: (_ctx, interaction) => `${options.basePath}${INTERACTION_PATH}/${interaction.uid}`,
    },
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      return firstPartyGrant(ctx);
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => logoutPage(ctx, form),
        postLogoutSuccessSource: async (ctx) => signedOutPage(ctx),
      },
    },
    cookies: {
      // Under a base path the provider's cookies stay inside it, like Latchkey's own.
      long: { httpOnly: true, sameSite: 'lax', secure: options.https, path: options.basePath || '/' },
      short: { httpOnly: true, sameSite: 'lax', secure: options.https, path: options.basePath || '/' },
    },
    ttl: TTL,
    renderError: async (ctx, out) => errorPage(ctx, out),
  };

  const provider = new Provider(options.issuer, configuration);
  // Reads Host and X-Forwarded-* that mount.ts pins to PUBLIC_URL before every request.
  provider.proxy = true;
  useRegistrySecretCheck(provider, options.clients);
  // RP-initiated logout signs the browser out of Latchkey too: its session is what SSO rides on.
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc.params?.logout) {
      await options.endLatchkeySession(ctx.cookies.get(options.sessionCookieName) ?? undefined);
      const secure = options.https ? '; Secure' : '';
      ctx.append('set-cookie', `${options.sessionCookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
    }
  });
  const events = [
    'server_error',
    'authorization.error',
    'grant.error',
    'end_session.error',
    'userinfo.error',
    'introspection.error',
    'revocation.error',
  ] as const;
  for (const event of events) provider.on(event as 'server_error', (_ctx: unknown, error: Error) => options.onError(error, event));
  return provider;
}
