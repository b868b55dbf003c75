/**
 * The provider's paths and lifetimes, apart from provider.ts so that importing them does not load
 * oidc-provider (which prints a warning on Node 20 when loaded: the CLI loads it only when needed).
 */

/** Where oidc-provider's endpoints live; discovery stays at /.well-known/openid-configuration. */
export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  end_session: '/oidc/session/end',
} as const;

export const INTERACTION_PATH = '/oidc/interaction';

/** Lifetimes in seconds. Only ID tokens are signed (access and refresh tokens are opaque, stored). */
export const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  Interaction: 3600,
  Grant: 14 * 24 * 3600,
  Session: 14 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
};

/** How long a retired signing key must stay in the JWKS: the longest life of a token it signed. */
export const MAX_SIGNED_TOKEN_LIFETIME_SECONDS = TTL.IdToken;
