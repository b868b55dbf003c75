import type { Adapter, JWK } from 'oidc-provider';

/**
 * The ports of the OpenID Connect flow: what it needs from storage. The store implements them
 * (src/store/oidc-*.ts); the provider (src/flows/oidc/provider.ts) only ever sees these.
 */

/**
 * Everything oidc-provider stores (Session, Grant, AuthorizationCode, AccessToken, RefreshToken,
 * Interaction, ...) in Latchkey's own database. Rows are keyed by a keyed digest of the id (codes
 * and tokens are their own id, so a database dump never holds a usable one) and payloads are
 * sealed under SECRET_KEYS.
 */
export interface OidcStorage {
  /** oidc-provider's Adapter for one model name. */
  adapter(model: string): Adapter;
  /**
   * Ends everything applications hold for a user: OIDC sessions, grants, and every code, access
   * and refresh token of those grants. Returns how many rows went.
   */
  endEverythingForUser(userId: string): Promise<number>;
  /** Deletes expired rows (for `latchkey cleanup`); returns how many. */
  purgeExpired(nowMs: number): Promise<number>;
}

/** The provider's signing keys, private parts sealed at rest. */
export interface SigningKeyStore {
  /**
   * Private JWKs for oidc-provider's `jwks` option: the signing key first, then retired keys
   * whose tokens may still be live (so their public halves stay in the JWKS). Creates the first
   * key (ES256) when there is none.
   */
  privateJwks(nowMs: number): Promise<JWK[]>;
  /** Adds a new key that signs from now on; the old one is retired (kept until its tokens expire). Returns the new kid. */
  rotate(nowMs: number): Promise<string>;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Public clients (no secret) must use PKCE S256. */
  isPublic: boolean;
  /** First-party apps: no consent screen. */
  skipConsent: boolean;
  createdAtMs: number;
}

export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  isPublic: boolean;
  skipConsent: boolean;
}

export type ClientProblem = 'REDIRECT_URI_INVALID' | 'CLIENT_NAME_INVALID';

/** Registered applications. A confidential client's secret is shown once and stored as a keyed digest. */
export interface ClientRegistry {
  add(
    input: NewClient,
    nowMs: number,
  ): Promise<{ ok: true; client: RegisteredClient; clientSecret?: string } | { ok: false; code: ClientProblem; detail: string }>;
  list(): Promise<RegisteredClient[]>;
  remove(clientId: string): Promise<boolean>;
  find(clientId: string): Promise<RegisteredClient | undefined>;
  /** Constant-time check of a presented secret against the stored digest. */
  verifySecret(clientId: string, secret: string): Promise<boolean>;
}
